// clearline dashboard: small progressive enhancements; every page works without it.
(function () {
  "use strict";
  var problem = document.getElementById("problem");
  if (problem) { problem.focus(); }

  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });

  var feed = document.getElementById("feed");
  if (!feed || !window.EventSource) { return; }
  var status = document.getElementById("feed-status");
  var empty = document.getElementById("feed-empty");
  var src = new EventSource(feed.getAttribute("data-src"));
  src.addEventListener("open", function () { status.textContent = "Connected: new alerts appear below."; });
  src.addEventListener("error", function () { status.textContent = "Reconnecting…"; });
  src.addEventListener("incident", function (msg) {
    var e = JSON.parse(msg.data);
    var li = document.createElement("li");
    li.className = "alert";
    var h = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = (e.verdict === "scam" ? "Scam call" : "Suspicious call") + (e.line_name ? " on " + e.line_name : (e.district ? " in " + e.district : ""));
    h.appendChild(strong);
    var when = document.createElement("span");
    when.className = "sub";
    when.textContent = " " + new Date(e.at).toLocaleString("en-GB");
    h.appendChild(when);
    li.appendChild(h);
    if (e.caller) { var c = document.createElement("p"); c.textContent = "From " + e.caller; li.appendChild(c); }
    if (e.tactics && e.tactics.length) { var t = document.createElement("p"); t.textContent = "Tactics heard: " + e.tactics.join(", "); li.appendChild(t); }
    if (e.action) { var a = document.createElement("p"); a.textContent = "What clearline did: " + e.action; li.appendChild(a); }
    if (e.line_id) {
      var p = document.createElement("p"), link = document.createElement("a");
      link.href = "/lines/" + encodeURIComponent(e.line_id) + "/calls";
      link.textContent = "Open the call log";
      p.appendChild(link); li.appendChild(p);
    }
    feed.insertBefore(li, feed.firstChild);
    if (empty) { empty.hidden = true; }
  });
})();
