/**
 * The status page's script, shipped inside xbar (no CDN, no build step):
 * it opens the page's update stream (server-sent events) and swaps in the
 * sections the server renders for each update. Reconnecting is the
 * browser's (EventSource retries by itself). Without it the page is a plain
 * summary that reloads itself every 10 s.
 *
 * @module
 */

/** The script's source (served as `<page>/status.js`). */
export const STATUS_SCRIPT = `"use strict";
(function () {
  var root = document.documentElement;
  var url = root.getAttribute("data-events");
  var live = document.getElementById("live");
  if (!url || typeof EventSource !== "function") return;
  function mark(on, text) {
    if (!live) return;
    live.className = on ? "on" : "off";
    live.textContent = text;
  }
  var updates = 0;
  var source = new EventSource(url);
  mark(false, "connecting…");
  source.addEventListener("update", function (ev) {
    var u;
    try {
      u = JSON.parse(ev.data);
    } catch (err) {
      return;
    }
    var sections = u.sections || {};
    for (var id in sections) {
      var el = document.getElementById(id);
      if (el && el.innerHTML !== sections[id]) el.innerHTML = sections[id];
    }
    if (u.title) document.title = u.title;
    updates++;
    document.body.setAttribute("data-updates", String(updates));
    mark(true, "live");
  });
  source.addEventListener("problem", function (ev) {
    mark(false, "status unavailable");
  });
  source.onerror = function () {
    mark(false, "reconnecting…");
  };
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
`;
