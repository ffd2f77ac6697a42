/* Requester console: form-builder templates, the import upload, and the dashboard charts. */
(function () {
  "use strict";

  var TEMPLATES = {
    label: {type: "label", prompt: "Pick one", options: ["yes", "no"]},
    multi_label: {type: "multi_label", prompt: "Pick all that apply", options: ["unsafe", "vague", "wrong"], min_choices: 0},
    rating: {type: "rating", prompt: "How good is the answer?", min: 1, max: 5, labels: {"1": "poor", "5": "excellent"}},
    rubric: {type: "rubric", prompt: "Score the answer", criteria: [
      {id: "accuracy", name: "Accuracy", description: "Facts are right", min: 1, max: 5},
      {id: "clarity", name: "Clarity", description: "Easy to follow", min: 1, max: 5}]},
    ranking: {type: "ranking", prompt: "Rank the answers, best first", field: "candidates"},
    pairwise: {type: "pairwise", prompt: "Which response is better?", left: "response_a", right: "response_b",
      justification: "required", justification_min_chars: 20},
    text: {type: "text", prompt: "Correct the model's answer", prefill_field: "response"},
    span: {type: "span", prompt: "Mark the names", field: "text", labels: ["person", "place"]}
  };

  function freeId(questions, base) {
    var taken = {}, n = 1;
    questions.forEach(function (q) { taken[q.id] = true; });
    while (taken[base + (n === 1 ? "" : "_" + n)]) { n += 1; }
    return base + (n === 1 ? "" : "_" + n);
  }

  function addQuestion(type) {
    var area = document.getElementById("f-form_json");
    var form;
    try { form = JSON.parse(area.value); } catch (e) { form = null; }
    if (!form || !Array.isArray(form.questions)) { form = {questions: []}; }
    var q = JSON.parse(JSON.stringify(TEMPLATES[type]));
    form.questions.push(Object.assign({id: freeId(form.questions, type)}, q));
    area.value = JSON.stringify(form, null, 2);
    area.dispatchEvent(new Event("input", {bubbles: true}));
    area.focus();
  }

  function initWizard() {
    document.querySelectorAll("[data-add-question]").forEach(function (button) {
      button.addEventListener("click", function () { addQuestion(button.dataset.addQuestion); });
    });
  }

  function errorRow(body, err) {
    var loc = err.loc || [], tr = document.createElement("tr");
    [loc[0] || "", loc.slice(1).join(".") || "", err.msg || ""].forEach(function (text) {
      var td = document.createElement("td");
      td.textContent = String(text);
      tr.appendChild(td);
    });
    body.appendChild(tr);
  }

  function showImportResult(xhr, message, table) {
    var body = table.querySelector("tbody"), data = {};
    try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
    body.textContent = "";
    if (xhr.status === 200) {
      message.textContent = "Imported " + data.imported + " items.";
      table.hidden = true;
      return;
    }
    message.textContent = "Nothing was imported: " + (data.detail || xhr.statusText || "upload failed");
    (data.errors || []).forEach(function (err) { errorRow(body, err); });
    table.hidden = !(data.errors || []).length;
  }

  function initImport() {
    var form = document.getElementById("import-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = document.getElementById("import-file").files[0];
      var status = document.getElementById("import-status"), bar = document.getElementById("import-progress");
      var message = document.getElementById("import-message"), table = document.getElementById("import-errors");
      if (!file) { message.textContent = "Choose a file first."; status.hidden = false; return; }
      var fmt = document.getElementById("import-format").value;
      var xhr = new XMLHttpRequest(), data = new FormData();
      data.append("file", file);
      xhr.open("POST", form.dataset.url + (fmt ? "?format=" + encodeURIComponent(fmt) : ""));
      xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.upload.addEventListener("load", function () { bar.value = 100; message.textContent = "Uploaded; checking rows…"; });
      xhr.addEventListener("load", function () { showImportResult(xhr, message, table); });
      xhr.addEventListener("error", function () { message.textContent = "The upload failed; check your connection."; });
      status.hidden = false; bar.value = 0; message.textContent = "Uploading…";
      xhr.send(data);
    });
  }

  var charts = {};
  var drawn = null;  // what the charts show now; polls that change nothing do not redraw

  function drawChart(canvas, kind, labels, values, horizontal) {
    var chart = charts[canvas.id || canvas.dataset.dist];
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      chart.update();
      return;
    }
    charts[canvas.id || canvas.dataset.dist] = new window.Chart(canvas, {
      type: kind,
      data: {labels: labels, datasets: [{data: values, backgroundColor: "#0b5cad", borderColor: "#0b5cad"}]},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x",
        plugins: {legend: {display: false}},
        scales: {[horizontal ? "x" : "y"]: {beginAtZero: true, ticks: {precision: 0}}}
      }
    });
  }

  function hourLabel(iso) { return iso.slice(11, 16); }

  function drawBoard() {
    var holder = document.getElementById("dash-data");
    if (!holder || !window.Chart) { return; }
    var board = JSON.parse(holder.dataset.board);
    var shown = JSON.stringify([board.throughput, board.distributions, board.agreement,
      board.time_per_item]);
    if (shown === drawn) { return; }
    drawn = shown;
    var canvas = document.getElementById("chart-throughput");
    var counts = board.throughput.map(function (h) { return h.submissions; });
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    drawChart(canvas, "bar", board.throughput.map(function (h) { return hourLabel(h.hour); }), counts, false);
    canvas.setAttribute("aria-label", "Bar chart: " + total + " submissions in the last 48 hours, at most " +
      Math.max.apply(null, counts) + " in one hour. The table below lists every hour.");
    board.distributions.forEach(function (d) {
      var c = document.querySelector('canvas[data-dist="' + d.question_id + '"]');
      if (!c) { return; }
      var labels = Object.keys(d.counts), values = labels.map(function (k) { return d.counts[k]; });
      drawChart(c, "bar", labels, values, true);
      c.setAttribute("aria-label", "Answers to " + d.question_id + ": " +
        labels.map(function (k, i) { return k + " " + values[i]; }).join(", "));
    });
    var agreement = document.getElementById("chart-agreement");
    if (agreement) {
      var qs = board.agreement.map(function (q) { return q.question_id; });
      var alphas = board.agreement.map(function (q) { return q.alpha === null ? null : Number(q.alpha.toFixed(3)); });
      // no chart until some question has an alpha: the text below says why
      agreement.parentElement.hidden = !alphas.some(function (a) { return a !== null; });
      drawChart(agreement, "bar", qs, alphas, true);
      agreement.setAttribute("aria-label", qs.length ? "Krippendorff's alpha per question: " +
        qs.map(function (q, i) { return q + " " + (alphas[i] === null ? "not measured" : alphas[i]); }).join(", ") :
        "No agreement computed yet");
    }
    var time = document.getElementById("chart-time");
    if (time) {
      var bands = Object.keys(board.time_per_item.buckets || {});
      var inBand = bands.map(function (k) { return board.time_per_item.buckets[k]; });
      drawChart(time, "bar", bands, inBand, false);
      time.setAttribute("aria-label", "Submissions per band of active time: " +
        bands.map(function (k, i) { return k + " " + inBand[i]; }).join(", "));
    }
    document.body.dataset.chartsDrawn = String(Number(document.body.dataset.chartsDrawn || 0) + 1);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initWizard();
    initImport();
    drawBoard();
    document.body.addEventListener("htmx:afterSwap", function (e) {
      // the preview is for looking only: keep its ranking rows and span text out of the tab order
      if (e.target && e.target.id === "form-preview") {
        e.target.querySelectorAll("[tabindex]").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
      }
    });
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (e.target && e.target.id === "dash-poller") { drawBoard(); }
    });
    document.body.addEventListener("htmx:oobAfterSwap", function (e) {
      if (e.detail && e.detail.target && e.detail.target.id === "dash-summary") { drawBoard(); }
    });
  });
})();
