// SecureDrop web UI: progressive enhancement over server-rendered pages.
// Everything works without this script (forms post, headers sort on the server); with it,
// uploads show per-file progress, the list filters and sorts in place, links can be copied.
// Loaded from /static (CSP script-src 'self'); it never builds HTML from strings.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var csrfToken = "";
  function readToken() {
    var field = document.querySelector("#upload-form input[name=csrf_token]");
    csrfToken = field ? field.value : "";
  }

  function announce(text) {
    var live = document.getElementById("live");
    if (live) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 30); }
  }

  function formatBytes(bytes) {
    var units = ["KiB", "MiB", "GiB", "TiB"];
    if (bytes < 1024) { return bytes + (bytes === 1 ? " byte" : " bytes"); }
    var value = bytes, unit = -1;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (Math.round(value * 10) / 10) + " " + units[unit];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function loginAgain() {
    var here = location.pathname + location.search;
    location.assign("/login?next=" + encodeURIComponent(here) + "&expired=1");
  }

  // ---- Filter and sort -----------------------------------------------------------------

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#file-table tbody tr.file-row"));
  }

  function applyFilter() {
    var input = document.getElementById("filter");
    if (!input) { return; }
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    rows().forEach(function (row) {
      var haystack = (row.dataset.name + " " + row.dataset.uploader).toLowerCase();
      var match = needle === "" || haystack.indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) { shown++; }
    });
    var none = document.getElementById("no-match");
    if (none) { none.hidden = shown !== 0; }
  }

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var compare = {
    name: function (a, b) { return collator.compare(a.dataset.name, b.dataset.name); },
    size: function (a, b) { return Number(a.dataset.size) - Number(b.dataset.size); },
    date: function (a, b) { return a.dataset.date < b.dataset.date ? -1 : a.dataset.date > b.dataset.date ? 1 : 0; },
    uploader: function (a, b) { return collator.compare(a.dataset.uploader, b.dataset.uploader); }
  };

  function sortBy(key, order) {
    var table = document.getElementById("file-table");
    if (!table || !compare[key]) { return; }
    var body = table.tBodies[0];
    var sorted = rows().sort(function (a, b) {
      var result = compare[key](a, b) || collator.compare(a.dataset.name, b.dataset.name);
      return order === "desc" ? -result : result;
    });
    sorted.forEach(function (row) { body.appendChild(row); });
    table.dataset.sort = key;
    table.dataset.order = order;
    table.querySelectorAll("th[data-key]").forEach(function (th) {
      var active = th.dataset.key === key;
      th.setAttribute("aria-sort", active ? (order === "desc" ? "descending" : "ascending") : "none");
      var arrow = th.querySelector(".arrow");
      if (arrow) { arrow.textContent = active ? (order === "desc" ? "▼" : "▲") : ""; }
      var link = th.querySelector("a.sort");
      if (link) {
        var next = active ? (order === "desc" ? "asc" : "desc") : (th.dataset.key === "date" || th.dataset.key === "size" ? "desc" : "asc");
        link.setAttribute("href", "/?sort=" + th.dataset.key + "&order=" + next);
      }
    });
    var select = document.getElementById("sort-select");
    if (select) { select.value = key + "-" + order; }
    history.replaceState(null, "", "/?sort=" + key + "&order=" + order);
  }

  function addMobileSort() {
    var table = document.getElementById("file-table");
    if (!table || document.getElementById("sort-select")) { return; }
    var wrap = el("div", "mobile-sort");
    var label = el("label", "", "Sort");
    label.htmlFor = "sort-select";
    var select = el("select");
    select.id = "sort-select";
    [["date-desc", "Newest first"], ["date-asc", "Oldest first"], ["name-asc", "Name A–Z"], ["name-desc", "Name Z–A"],
     ["size-desc", "Largest first"], ["size-asc", "Smallest first"], ["uploader-asc", "Uploader A–Z"], ["uploader-desc", "Uploader Z–A"]]
      .forEach(function (option) { select.appendChild(new Option(option[1], option[0])); });
    select.value = table.dataset.sort + "-" + table.dataset.order;
    select.addEventListener("change", function () {
      var parts = select.value.split("-");
      sortBy(parts[0], parts[1]);
    });
    wrap.appendChild(label);
    wrap.appendChild(select);
    table.parentNode.insertBefore(wrap, table);
  }

  // ---- Refreshing the list after uploads ---------------------------------------------

  function refreshList() {
    var table = document.getElementById("file-table");
    var query = table ? "?sort=" + table.dataset.sort + "&order=" + table.dataset.order : location.search;
    return fetch("/" + query, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || response.url.indexOf("/login") !== -1) { loginAgain(); return; }
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("files");
          var current = document.getElementById("files");
          if (fresh && current) {
            var filter = document.getElementById("filter");
            var text = filter ? filter.value : "";
            current.replaceWith(document.importNode(fresh, true));
            var newFilter = document.getElementById("filter");
            if (newFilter) { newFilter.value = text; }
            addMobileSort();
            applyFilter();
          }
        });
      });
  }

  // ---- Uploads -----------------------------------------------------------------------

  var queue = [];
  var running = 0;
  var parallel = 2;
  var finishedOk = 0;

  function enqueue(files) {
    var form = document.getElementById("upload-form");
    var list = document.getElementById("upload-queue");
    if (!form || !list) { return; }
    var limit = Number(form.dataset.maxBytes || 0);
    Array.prototype.forEach.call(files, function (file) {
      var item = el("li", "queue-item");
      var name = el("span", "queue-name", file.name);
      var cancel = el("button", "button small", "Cancel");
      cancel.type = "button";
      cancel.setAttribute("aria-label", "Cancel upload of " + file.name);
      var progress = el("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", "Progress of " + file.name);
      var status = el("span", "queue-status", "Waiting · " + formatBytes(file.size));
      item.appendChild(name);
      item.appendChild(status);
      item.appendChild(cancel);
      item.appendChild(progress);
      list.appendChild(item);
      document.getElementById("queue-bar").hidden = false;
      var job = { file: file, item: item, status: status, progress: progress, cancel: cancel, xhr: null, done: false };
      cancel.addEventListener("click", function () { cancelJob(job); });
      if (limit && file.size > limit) {
        fail(job, "Too large: the server accepts at most " + form.dataset.maxText + " per file.");
        return;
      }
      queue.push(job);
    });
    pump();
  }

  function settle(job, className, text) {
    job.done = true;
    job.item.classList.add(className);
    job.status.textContent = text;
    job.cancel.remove();
    running = Math.max(0, running - (job.xhr ? 1 : 0));
    job.xhr = null;
    announce(job.file.name + ": " + text);
    pump();
  }

  function fail(job, text) { settle(job, "failed", text); }

  function cancelJob(job) {
    if (job.done) { return; }
    if (job.xhr) { job.xhr.abort(); return; }
    queue = queue.filter(function (other) { return other !== job; });
    settle(job, "failed", "Cancelled");
  }

  function pump() {
    while (running < parallel && queue.length > 0) { start(queue.shift()); }
    if (running === 0 && queue.length === 0 && finishedOk > 0) {
      finishedOk = 0;
      refreshList();
    }
  }

  function errorText(xhr) {
    try {
      var answer = JSON.parse(xhr.responseText);
      if (answer && answer.message) { return answer.message; }
    } catch (ignored) { /* not JSON */ }
    return "The server answered " + xhr.status + ".";
  }

  function start(job) {
    running++;
    var body = new FormData();
    body.append("csrf_token", csrfToken);
    body.append("file", job.file, job.file.name);
    var xhr = new XMLHttpRequest();
    job.xhr = xhr;
    var started = performance.now();
    job.status.textContent = "Starting…";
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor(event.loaded / event.total * 100);
      var seconds = (performance.now() - started) / 1000;
      var speed = seconds > 0 ? event.loaded / seconds : 0;
      job.progress.value = percent;
      job.status.textContent = percent + "% · " + formatBytes(event.loaded) + " of " + formatBytes(event.total) + " · " + formatBytes(Math.round(speed)) + "/s";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 200) {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (ignored) { /* keep defaults */ }
        var stored = (answer.files && answer.files[0]) || { name: job.file.name };
        var text = "Uploaded";
        if (stored.renamed) {
          text = "Uploaded as " + stored.name + " (" + stored.requested_name + " was taken)";
        } else if (stored.name !== job.file.name) {
          text = "Uploaded as " + stored.name;
        }
        job.progress.value = 100;
        finishedOk++;
        settle(job, "done", text);
      } else if (xhr.status === 401) {
        fail(job, "Your session has expired.");
        loginAgain();
      } else if (xhr.status === 413) {
        fail(job, "Too large: the server accepts at most " + document.getElementById("upload-form").dataset.maxText + ".");
      } else if (xhr.status === 403) {
        fail(job, errorText(xhr));
      } else {
        fail(job, errorText(xhr));
      }
    });
    xhr.addEventListener("error", function () { fail(job, "The connection failed; nothing was stored."); });
    xhr.addEventListener("abort", function () { fail(job, "Cancelled"); });
    xhr.open("POST", "/upload");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.send(body);
  }

  function setUpUpload() {
    var input = document.getElementById("file-input");
    var zone = document.getElementById("dropzone");
    if (!input || !zone) { return; }
    input.addEventListener("change", function () {
      if (input.files && input.files.length) { enqueue(input.files); }
      input.value = "";
    });
    var depth = 0;
    document.addEventListener("dragenter", function (event) {
      if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") === -1) { return; }
      depth++;
      zone.classList.add("dragging");
    });
    document.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (depth === 0) { zone.classList.remove("dragging"); }
    });
    document.addEventListener("dragover", function (event) { event.preventDefault(); });
    document.addEventListener("drop", function (event) {
      event.preventDefault();
      depth = 0;
      zone.classList.remove("dragging");
      if (event.dataTransfer && event.dataTransfer.files.length) { enqueue(event.dataTransfer.files); }
    });
  }

  // ---- Events (delegated, so a refreshed list needs no re-binding) -------------------

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "filter") { applyFilter(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var sortLink = target.closest("a.sort");
    if (sortLink) {
      event.preventDefault();
      var table = document.getElementById("file-table");
      var key = sortLink.dataset.key;
      var order;
      if (table.dataset.sort === key) {
        order = table.dataset.order === "desc" ? "asc" : "desc";
      } else {
        order = key === "date" || key === "size" ? "desc" : "asc";
      }
      sortBy(key, order);
      return;
    }
    if (target.closest("#queue-clear")) {
      document.querySelectorAll("#upload-queue .queue-item.done, #upload-queue .queue-item.failed").forEach(function (item) { item.remove(); });
      var list = document.getElementById("upload-queue");
      if (list && !list.children.length) { document.getElementById("queue-bar").hidden = true; }
      return;
    }
    var copy = target.closest("button.copy-link");
    if (copy) {
      var url = location.origin + copy.dataset.href;
      var done = function () {
        var label = copy.firstChild;
        label.textContent = "Copied";
        announce("Link copied");
        setTimeout(function () { label.textContent = "Copy link"; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
      } else {
        window.prompt("Copy this link:", url);
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("delete-form")) {
      if (!window.confirm("Delete " + form.dataset.name + "? This cannot be undone.")) {
        event.preventDefault();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    readToken();
    setUpUpload();
    addMobileSort();
    var flash = document.getElementById("flash");
    if (flash) { flash.setAttribute("tabindex", "-1"); }
  });
})();
