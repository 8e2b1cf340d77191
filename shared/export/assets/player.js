// The lesson as a SCORM 1.2 SCO: the video with its captions, then the quiz. Reports to the LMS's API
// (found on a parent or opener window) the score on 0-100 with its min and max, set before the status;
// passed or failed only once every item is answered; one interaction per item; the answers so far in
// suspend_data and the video's position in lesson_location, so a learner who leaves resumes where they were.
// Opened outside an LMS it plays and scores the same, and says that nothing is recorded.
(function () {
  "use strict";
  var lesson = JSON.parse(document.getElementById("lesson-data").textContent);
  var SUSPEND_LIMIT = 4096; // SCORM 1.2's cmi.suspend_data holds at most 4,096 characters
  var started = Date.now();
  var finished = false;
  var state = { answers: {} }; // question id -> chosen option letter

  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      if (win.API) return win.API;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);

  function get(name) { return api ? String(api.LMSGetValue(name)) : ""; }
  function set(name, value) { if (api) api.LMSSetValue(name, String(value)); }
  function commit() { if (api) api.LMSCommit(""); }

  function hhmmss(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function saveState() {
    var text = JSON.stringify(state);
    if (text.length <= SUSPEND_LIMIT) set("cmi.suspend_data", text);
  }

  function answeredCount() { return Object.keys(state.answers).length; }

  function score() {
    var right = 0;
    lesson.quiz.forEach(function (item) { if (state.answers[item.id] === item.correct) right++; });
    return lesson.quiz.length ? Math.round((100 * right) / lesson.quiz.length) : 100;
  }

  function report() {
    var total = lesson.quiz.length;
    var result = document.getElementById("result");
    if (answeredCount() < total) {
      result.textContent = answeredCount() + " of " + total + " answered.";
      return;
    }
    var raw = score();
    set("cmi.core.score.min", 0); // the range first, then the score, then the status
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", raw);
    set("cmi.core.lesson_status", raw >= lesson.mastery ? "passed" : "failed");
    commit();
    result.textContent = "Your score: " + raw + " out of 100 (" + (raw >= lesson.mastery ? "passed" : "not yet passed, " + lesson.mastery + " needed") + ").";
  }

  function recordInteraction(item, chosen) {
    var n = parseInt(get("cmi.interactions._count"), 10);
    if (isNaN(n)) n = 0;
    var prefix = "cmi.interactions." + n + ".";
    set(prefix + "id", item.id);
    set(prefix + "type", "choice");
    set(prefix + "student_response", chosen);
    set(prefix + "correct_responses.0.pattern", item.correct);
    set(prefix + "result", chosen === item.correct ? "correct" : "wrong");
    set(prefix + "time", new Date().toTimeString().slice(0, 8));
  }

  function buildQuiz() {
    VividlyQuiz.build(document.getElementById("quiz"), lesson.quiz, function (item, chosen) {
      state.answers[item.id] = chosen;
      recordInteraction(item, chosen);
      saveState();
      report();
      commit();
    });
  }

  function restore() {
    if (get("cmi.core.entry") !== "resume") return;
    try { state = JSON.parse(get("cmi.suspend_data")) || state; } catch (e) { state = { answers: {} }; }
    state.answers = state.answers || {};
    lesson.quiz.forEach(function (item) {
      var chosen = state.answers[item.id];
      if (!chosen) return;
      VividlyQuiz.show(item, chosen);
    });
    var at = parseFloat(get("cmi.core.lesson_location"));
    var video = document.getElementById("video");
    if (at > 0) video.addEventListener("loadedmetadata", function () { video.currentTime = at; }, { once: true });
  }

  function finish() {
    if (finished || !api) return;
    finished = true;
    set("cmi.core.session_time", hhmmss(Date.now() - started));
    set("cmi.core.exit", answeredCount() < lesson.quiz.length ? "suspend" : "");
    commit();
    api.LMSFinish("");
  }

  document.addEventListener("DOMContentLoaded", function () {
    buildQuiz();
    var note = document.getElementById("lms-note");
    if (!api) {
      note.textContent = "Not opened from a learning platform: your answers are scored here but not recorded.";
    } else {
      api.LMSInitialize("");
      if (get("cmi.core.lesson_status") === "not attempted") set("cmi.core.lesson_status", "incomplete");
      restore();
      report();
      commit();
    }
    var video = document.getElementById("video");
    var lastSaved = 0;
    video.addEventListener("timeupdate", function () {
      if (Math.abs(video.currentTime - lastSaved) >= 5) { // a bookmark every 5 s of viewing
        lastSaved = video.currentTime;
        set("cmi.core.lesson_location", Math.floor(video.currentTime));
      }
    });
    document.getElementById("finish").addEventListener("click", function () {
      finish();
      document.getElementById("finish").disabled = true;
      note.textContent = api ? "Your progress is saved. You can close this lesson." : note.textContent;
    });
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
  });
})();
