// Tandem workbench: drafts, heartbeats, shortcuts, ranking, spans, Markdown preview.
// Plain JavaScript, nothing to build. Every feature degrades to a working HTML form.
(function () {
  "use strict";
  const root = document.getElementById("workbench");
  if (!root) return;
  const form = document.getElementById("answer");
  const assignment = root.dataset.assignment;
  const csrf = root.dataset.csrf;
  const draftKey = "tandem-draft-" + assignment;
  const status = document.getElementById("draft-status");

  // --- drafts: every change is kept in this browser until the server confirms ---------
  function fields() {
    return Array.from(form.elements).filter(
      (el) => el.name && el.name.startsWith("q.") && el.type !== "button"
    );
  }
  function saveDraft() {
    const data = {};
    for (const el of fields()) {
      if (el.type === "radio" || el.type === "checkbox") {
        data[el.name + "=" + el.value] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    }
    const ranking = {};
    document.querySelectorAll("[data-ranking]").forEach((list) => {
      ranking[list.dataset.ranking] = Array.from(list.children).map((li) => li.dataset.cid);
    });
    localStorage.setItem(draftKey, JSON.stringify({ data, ranking, saved: Date.now() }));
    status.textContent = "Draft saved " + new Date().toLocaleTimeString();
  }
  function restoreDraft() {
    const raw = localStorage.getItem(draftKey);
    if (!raw) return;
    const draft = JSON.parse(raw);
    for (const el of fields()) {
      if (el.type === "radio" || el.type === "checkbox") {
        const key = el.name + "=" + el.value;
        if (key in draft.data) el.checked = draft.data[key];
      } else if (el.name in draft.data && el.type !== "hidden") {
        el.value = draft.data[el.name];
      }
    }
    for (const [qid, order] of Object.entries(draft.ranking || {})) {
      const list = document.querySelector('[data-ranking="' + qid + '"]');
      if (!list) continue;
      for (const cid of order) {
        const li = list.querySelector('[data-cid="' + cid + '"]');
        if (li) list.appendChild(li);
      }
      renumber(list);
    }
    document.querySelectorAll("[data-span]").forEach((box) => drawSpans(box.dataset.span));
    status.textContent = "Draft restored from " + new Date(draft.saved).toLocaleTimeString();
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // --- heartbeats: focus and input only; counted, never logged ------------------------
  let inputEvents = 0;
  ["keydown", "pointerdown", "wheel"].forEach((type) =>
    document.addEventListener(type, () => { inputEvents += 1; }, { passive: true })
  );
  function beat() {
    // only while this page has focus and the expert typed, clicked or scrolled since the
    // last beat: an idle or background tab sends nothing and earns no active time
    if (!document.hasFocus() || document.hidden || inputEvents === 0) { inputEvents = 0; return; }
    const body = JSON.stringify({ focused: true, input_events: inputEvents });
    inputEvents = 0;
    fetch("/api/v1/assignments/" + assignment + "/heartbeat", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body,
      credentials: "same-origin",
    }).catch(() => {});
  }
  setInterval(beat, 30000);

  // --- ranking: drag and keyboard -----------------------------------------------------
  function renumber(list) {
    Array.from(list.children).forEach((li, n) => {
      li.querySelector("input").value = String(n + 1);
    });
  }
  function move(li, step) {
    const list = li.parentElement;
    const sibling = step < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!sibling) return;
    list.insertBefore(li, step < 0 ? sibling : sibling.nextElementSibling);
    renumber(list);
    li.focus();
    saveDraft();
  }
  document.querySelectorAll("[data-ranking]").forEach((list) => {
    let dragged = null;
    list.addEventListener("dragstart", (e) => { dragged = e.target.closest("li"); });
    list.addEventListener("dragover", (e) => e.preventDefault());
    list.addEventListener("drop", (e) => {
      e.preventDefault();
      const target = e.target.closest("li");
      if (dragged && target && dragged !== target) {
        const after = target.compareDocumentPosition(dragged) & Node.DOCUMENT_POSITION_PRECEDING;
        list.insertBefore(dragged, after ? target.nextElementSibling : target);
        renumber(list);
        saveDraft();
      }
    });
    list.addEventListener("click", (e) => {
      const button = e.target.closest("[data-move]");
      if (button) move(button.closest("li"), Number(button.dataset.move));
    });
    list.addEventListener("keydown", (e) => {
      const li = e.target.closest("li");
      if (!li || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
      e.preventDefault();
      if (e.altKey) { move(li, e.key === "ArrowUp" ? -1 : 1); return; }
      // plain arrows walk the answers; Alt+arrows carry the focused one along
      const next = e.key === "ArrowUp" ? li.previousElementSibling : li.nextElementSibling;
      if (next) next.focus();
    });
  });

  // --- spans: select text, then a label ----------------------------------------------
  function spanInput(qid) {
    return document.getElementById("q-" + qid + "-spans");
  }
  function readSpans(qid) {
    try { return JSON.parse(spanInput(qid).value || "[]"); } catch (err) { return []; }
  }
  function drawSpans(qid) {
    const list = document.querySelector('[data-span-list="' + qid + '"]');
    const text = document.querySelector('[data-span="' + qid + '"]').textContent;
    list.replaceChildren();
    readSpans(qid).forEach((span, n) => {
      const li = document.createElement("li");
      li.textContent = span.label + ": “" + text.slice(span.start, span.end) + "” ";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary small";
      remove.textContent = "Remove";
      remove.addEventListener("click", () => {
        const spans = readSpans(qid);
        spans.splice(n, 1);
        spanInput(qid).value = JSON.stringify(spans);
        drawSpans(qid);
        saveDraft();
      });
      li.appendChild(remove);
      list.appendChild(li);
    });
  }
  function labelSelection(fieldset, label) {
    const box = fieldset.querySelector("[data-span]");
    const sel = window.getSelection();
    if (!box || !sel.rangeCount || sel.isCollapsed) return false;
    const range = sel.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return false;
    const before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    const end = start + range.toString().length;
    const spans = readSpans(box.dataset.span);
    spans.push({ start, end, label });
    spanInput(box.dataset.span).value = JSON.stringify(spans);
    drawSpans(box.dataset.span);
    sel.removeAllRanges();
    saveDraft();
    return true;
  }
  document.querySelectorAll("[data-span-label]").forEach((button) =>
    button.addEventListener("click", () =>
      labelSelection(button.closest("fieldset"), button.dataset.spanLabel)
    )
  );
  document.querySelectorAll("[data-span]").forEach((box) => drawSpans(box.dataset.span));

  // --- Markdown preview and diff against the model's original -------------------------
  document.querySelectorAll("textarea[data-markdown]").forEach((area) => {
    const target = document.getElementById(area.id.replace(/-text$/, "-preview"));
    let timer = null;
    function refresh() {
      const body = new URLSearchParams({ csrf, text: area.value });
      if (area.dataset.original !== undefined) body.set("original", area.dataset.original);
      fetch("/work/preview", { method: "POST", body, credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : Promise.reject(r)))
        .then((html) => { target.innerHTML = html; })
        .catch(() => {});
    }
    area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    refresh();
  });

  // --- keyboard shortcuts ------------------------------------------------------------
  const questions = Array.from(form.querySelectorAll("fieldset"));
  let current = 0;
  function focusQuestion(n, moveFocus) {
    current = Math.max(0, Math.min(questions.length - 1, n));
    questions.forEach((q, i) => q.classList.toggle("current", i === current));
    const fieldset = questions[current];
    if (moveFocus) {
      // focus follows j / k so a screen reader reads the question and Tab starts there
      const first = fieldset.querySelector("[data-ranking] li");
      fieldset.tabIndex = -1;
      (first || fieldset).focus({ preventScroll: true });
    }
    fieldset.scrollIntoView({ block: "nearest" });
  }
  function choose(n) {
    const fieldset = questions[current];
    const spanButtons = fieldset.querySelectorAll("[data-span-label]");
    if (spanButtons.length) {
      if (spanButtons[n]) labelSelection(fieldset, spanButtons[n].dataset.spanLabel);
      return;
    }
    const answers = fieldset.querySelectorAll("[data-ranking] li");
    if (answers.length) {  // ranking: the n-th answer takes the focus; Alt+↑ / Alt+↓ move it
      if (answers[n]) answers[n].focus();
      return;
    }
    const options = fieldset.querySelectorAll("input[type=radio], input[type=checkbox]");
    const groups = new Map();
    options.forEach((o) => { if (!groups.has(o.name)) groups.set(o.name, []); groups.get(o.name).push(o); });
    // the first group not yet answered gets the key (rubric: one criterion after another)
    const open = Array.from(groups.values()).find((g) => !g.some((o) => o.checked)) ||
      Array.from(groups.values())[0];
    if (open && open[n]) {
      open[n].click();
      open[n].focus();  // Tab goes on from the answer: strength, then justification
    }
  }
  function write() {
    const area = questions[current].querySelector("textarea:not(.spanjson), input[type=text]");
    if (!area) return;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);  // carry on where you left off
  }
  const help = document.getElementById("help");
  document.getElementById("help-open").addEventListener("click", () => help.showModal());
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key === "Enter") { e.preventDefault(); form.requestSubmit(); return; }
    const typing = e.target.closest("textarea, input[type=text], select");
    if (typing && e.key === "Escape") { typing.blur(); return; }  // leave the field for shortcuts
    if (typing || e.altKey || e.ctrlKey || e.metaKey || help.open) return;
    if (e.key === "?") { e.preventDefault(); help.showModal(); }
    else if (e.key === "j") focusQuestion(current + 1, true);
    else if (e.key === "k") focusQuestion(current - 1, true);
    else if (e.key === "t") { e.preventDefault(); write(); }
    else if (e.key === "g") { const g = document.getElementById("guidelines"); if (g) g.open = !g.open; }
    else if (e.key === "s") { const s = document.getElementById("skip"); s.open = true; s.querySelector("select").focus(); }
    else if (/^[1-9]$/.test(e.key)) { e.preventDefault(); choose(Number(e.key) - 1); }
  });
  if (questions.length) focusQuestion(0, false);
  restoreDraft();
})();
