// The teacher's page: sign in with a key, ask for a lesson, watch it being made, play it with its captions,
// take its quiz, hand it out (MP4, SCORM 1.2), and find earlier lessons. It calls the same JSON functions as
// any client, from the same origin; files come through lesson_file with the key, played from memory.
(function () {
  "use strict";
  var KEY = "vividly.key";
  var POLL_MS = 1000;
  var AT_REST = ["completed", "failed", "cancelled", "rejected", "clarification_needed"];
  var cursor = null;
  var urls = []; // object URLs of the open lesson, revoked when another opens
  var $ = function (id) { return document.getElementById(id); };

  function api(path, options) {
    options = options || {};
    var headers = { "X-API-Key": sessionStorage.getItem(KEY) || "" };
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: options.method || "GET", headers: headers, body: options.body ? JSON.stringify(options.body) : undefined })
      .then(function (response) {
        if (options.raw && response.ok) return response.blob();
        return response.json().then(function (data) {
          if (!response.ok) {
            var fields = (data.fields || []).map(function (f) { return f.field + ": " + f.reason; }).join("; ");
            var error = new Error(data.message + (fields ? " (" + fields + ")" : ""));
            error.status = response.status;
            throw error;
          }
          return data;
        });
      });
  }

  function show(id, visible) { $(id).hidden = !visible; }

  function signedIn(me) {
    $("who").textContent = "Signed in to " + me.organization_id + " as " + me.roles.join(", ");
    show("signin", false); show("sign-out", true); show("history", true);
    show("ask", me.may.indexOf("submit") >= 0);
    loadHistory(true);
  }

  function signIn(event) {
    event.preventDefault();
    sessionStorage.setItem(KEY, $("key").value.trim());
    $("key").value = "";
    api("whoami").then(signedIn).catch(function (error) {
      sessionStorage.removeItem(KEY);
      $("signin-error").textContent = error.status === 401 ? "That key was not accepted." : error.message;
      $("key").focus();
    });
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    window.location.reload();
  }

  function ask(event) {
    event.preventDefault();
    $("ask-error").textContent = "";
    var body = {
      student_query: $("question").value,
      grade_level: $("grade").value,
      duration_minutes: parseInt($("minutes").value, 10),
      language: $("language").value
    };
    api("submit_content_request", { method: "POST", body: body })
      .then(function (made) { track(made.request_id); })
      .catch(function (error) { $("ask-error").textContent = error.message; });
  }

  function render(view) {
    $("bar").value = view.progress;
    $("stage").textContent = view.status.replace(/_/g, " ") + ": " + view.stage_message + " (" + view.progress + "%)";
    var list = $("timeline");
    list.textContent = "";
    view.events.forEach(function (e) {
      var item = document.createElement("li");
      item.textContent = e.to.replace(/_/g, " ") + " — " + e.message;
      list.appendChild(item);
    });
  }

  function finished(requestId) {
    // The whole view once at rest: the error, the clarification questions, the warnings.
    api("get_request_status?request_id=" + requestId).then(function (view) {
      render(view);
      loadHistory(true);
      if (view.status === "completed") openLesson(requestId);
      else if (view.clarification_questions) $("stage").textContent = "More detail needed: " + view.clarification_questions.join(" ");
      else if (view.error) $("stage").textContent = view.status + ": " + view.error.message;
    }).catch(function (error) { $("stage").textContent = error.message; });
  }

  function poll(requestId) {
    api("get_request_status?request_id=" + requestId).then(function (view) {
      render(view);
      if (AT_REST.indexOf(view.status) < 0) setTimeout(function () { poll(requestId); }, POLL_MS);
      else finished(requestId);
    }).catch(function (error) { $("stage").textContent = error.message; });
  }

  function track(requestId) {
    show("progress", true); show("lesson", false);
    $("timeline").textContent = "";
    // Live over Server-Sent Events, opened with a stream token (EventSource cannot send the key);
    // polling the status is the fallback when a stream cannot be had or breaks.
    api("request_stream_token", { method: "POST", body: { request_id: requestId } }).then(function (grant) {
      var source = new EventSource(grant.events_url);
      source.addEventListener("status", function (message) {
        var e = JSON.parse(message.data);
        $("bar").value = e.progress;
        $("stage").textContent = e.status.replace(/_/g, " ") + ": " + e.message + " (" + e.progress + "%)";
        var item = document.createElement("li");
        item.textContent = e.status.replace(/_/g, " ") + " — " + e.message;
        $("timeline").appendChild(item);
      });
      source.addEventListener("end", function () { source.close(); finished(requestId); });
      source.onerror = function () { source.close(); poll(requestId); };
    }).catch(function () { poll(requestId); });
  }

  function quizItems(script) {
    return script.quiz.map(function (q, i) {
      return { id: "q" + (i + 1), question: q.question, options: q.options,
               correct: String.fromCharCode(97 + q.options.indexOf(q.answer)), explanation: q.explanation || "" };
    });
  }

  function fileUrl(requestId, kind) {
    return api("lesson_file?request_id=" + requestId + "&kind=" + kind, { raw: true }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      urls.push(url);
      return url;
    });
  }

  function openLesson(requestId) {
    urls.forEach(URL.revokeObjectURL);
    urls = [];
    var video = $("video");
    video.querySelectorAll("track").forEach(function (t) { t.remove(); });
    Promise.all([
      fileUrl(requestId, "video"),
      fileUrl(requestId, "captions_vtt"),
      api("lesson_file?request_id=" + requestId + "&kind=script", { raw: true }).then(function (b) { return b.text(); }),
      api("get_request_status?request_id=" + requestId),
      fileUrl(requestId, "thumbnail")
    ]).then(function (got) {
      var script = JSON.parse(got[2]);
      $("lesson-title").textContent = script.title;
      var warnings = $("warnings");
      warnings.textContent = "";
      (got[3].warnings || []).forEach(function (w) { var li = document.createElement("li"); li.textContent = w; warnings.appendChild(li); });
      video.poster = got[4];
      video.src = got[0];
      video.setAttribute("aria-label", "Lesson video: " + script.title);
      var track = document.createElement("track");
      track.kind = "captions"; track.label = "Captions"; track.srclang = (script.language || "en").split("-")[0];
      track.src = got[1]; track.default = true;
      video.appendChild(track);
      var items = quizItems(script);
      var answers = {};
      $("score").textContent = "";
      VividlyQuiz.build($("quiz"), items, function (item, chosen) {
        answers[item.id] = chosen;
        var done = Object.keys(answers).length;
        var right = items.filter(function (i) { return answers[i.id] === i.correct; }).length;
        $("score").textContent = done < items.length
          ? done + " of " + items.length + " answered."
          : "Score: " + right + " of " + items.length + " right.";
      });
      $("download-mp4").onclick = function () { download(got[0], "lesson.mp4"); };
      $("download-scorm").onclick = function () {
        api("export_lesson_file", { method: "POST", body: { request_id: requestId, format: "scorm12" } })
          .then(function () { return fileUrl(requestId, "export_scorm12"); })
          .then(function (url) { download(url, "lesson-scorm12.zip"); })
          .catch(function (error) { $("score").textContent = error.message; });
      };
      show("lesson", true);
    }).catch(function (error) { $("stage").textContent = error.message; });
  }

  function download(url, name) {
    var link = document.createElement("a");
    link.href = url; link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
  }

  function loadHistory(fresh) {
    if (fresh) { cursor = null; $("rows").textContent = ""; }
    var query = "list_requests?limit=10&q=" + encodeURIComponent($("search").value) + (cursor ? "&cursor=" + cursor : "");
    api(query).then(function (page) {
      page.requests.forEach(function (r) {
        var row = document.createElement("tr");
        [r.query, r.status.replace(/_/g, " "), new Date(r.created_at).toLocaleString()].forEach(function (text) {
          var cell = document.createElement("td"); cell.textContent = text; row.appendChild(cell);
        });
        var cell = document.createElement("td");
        var open = document.createElement("button");
        open.type = "button";
        open.textContent = r.status === "completed" ? "Open" : "Follow";
        open.setAttribute("aria-label", open.textContent + ": " + r.query);
        open.addEventListener("click", function () { track(r.request_id); });
        cell.appendChild(open); row.appendChild(cell);
        $("rows").appendChild(row);
      });
      cursor = page.next_cursor;
      show("more", Boolean(cursor));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"].forEach(function (g) {
      var option = document.createElement("option");
      option.value = g; option.textContent = g === "K" ? "Kindergarten" : "Grade " + g;
      if (g === "5") option.selected = true;
      $("grade").appendChild(option);
    });
    $("signin-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("ask-form").addEventListener("submit", ask);
    $("search-form").addEventListener("submit", function (event) { event.preventDefault(); loadHistory(true); });
    $("more").addEventListener("click", function () { loadHistory(false); });
    if (sessionStorage.getItem(KEY)) api("whoami").then(signedIn).catch(signOut);
  });
})();
