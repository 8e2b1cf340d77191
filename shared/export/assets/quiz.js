// The quiz of a lesson as a form: one fieldset per item, radio options a, b, c…, a "Check answer" button,
// then feedback in words (right or not, the right answer, the one-line explanation). Shared by the SCORM
// package's player and the teacher's page; each decides what an answer records.
(function () {
  "use strict";

  function letter(index) { return String.fromCharCode(97 + index); }

  function show(item, chosen) {
    var box = document.getElementById("item-" + item.id);
    var input = box.querySelector('input[value="' + chosen + '"]');
    if (input) input.checked = true;
    var feedback = box.querySelector(".feedback");
    var right = chosen === item.correct;
    feedback.className = "feedback " + (right ? "correct" : "wrong");
    feedback.textContent = right ? "Correct." : "Not quite: the answer is " + item.options[item.correct.charCodeAt(0) - 97] + ".";
    box.querySelector(".explanation").textContent = item.explanation;
    box.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
    // Disabled radios are faint in every browser: say in words which was chosen and which is right.
    box.querySelectorAll("label").forEach(function (label) {
      var value = label.querySelector("input").value;
      if (value === chosen) label.classList.add("chosen");
      if (value === item.correct) label.classList.add("right");
    });
  }

  function build(form, items, onAnswer) {
    form.textContent = "";
    items.forEach(function (item, q) {
      var box = document.createElement("fieldset");
      box.id = "item-" + item.id;
      var legend = document.createElement("legend");
      legend.textContent = (q + 1) + ". " + item.question;
      box.appendChild(legend);
      item.options.forEach(function (option, i) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "radio";
        input.name = item.id;
        input.value = letter(i);
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + option));
        box.appendChild(label);
      });
      var check = document.createElement("button");
      check.type = "button";
      check.textContent = "Check answer";
      check.addEventListener("click", function () {
        var picked = box.querySelector("input:checked");
        if (!picked) { box.querySelector(".feedback").textContent = "Choose an answer first."; return; }
        show(item, picked.value);
        onAnswer(item, picked.value);
      });
      box.appendChild(check);
      var feedback = document.createElement("p");
      feedback.className = "feedback";
      feedback.setAttribute("role", "status");
      box.appendChild(feedback);
      var explanation = document.createElement("p");
      explanation.className = "explanation";
      box.appendChild(explanation);
      form.appendChild(box);
    });
  }

  window.VividlyQuiz = { build: build, show: show };
})();
