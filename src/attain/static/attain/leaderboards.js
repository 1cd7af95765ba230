/* Live leaderboards: EventSource → replace the standings, celebrate the winner.
   Wall screens also rotate between their boards. No dependencies. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) return;
  var status = document.querySelector("[data-testid=live-status]");
  var banner = document.getElementById("celebrate");
  var hideTimer = null;

  function setStatus(text, ok) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("lb-on", !!ok);
  }

  function celebrate(name, deal) {
    if (!banner || !name) return;
    banner.querySelector("[data-testid=celebrate-name]").textContent = name + " won a deal!";
    banner.querySelector(".lb-celebrate-deal").textContent = deal ? "(" + deal + ")" : "";
    banner.hidden = false;
    banner.classList.remove("lb-pop");
    void banner.offsetWidth; // restart the animation
    banner.classList.add("lb-pop");
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { banner.hidden = true; }, 6000);
  }

  // A wall screen's boards each get their first standings in turn.
  var expected = Array.prototype.map.call(
    root.querySelectorAll(".lb-panel-body[id]"), function (el) { return el.id; });
  var received = {};

  var source = new EventSource(root.getAttribute("data-live"));
  // "live" only once the first standings of every board arrive: the server subscribes
  // before it reads them, so from then on no win can be missed.
  source.addEventListener("open", function () { setStatus("connected…", false); });
  source.addEventListener("error", function () { setStatus("reconnecting…", false); });
  source.addEventListener("standings", function (e) {
    var data = JSON.parse(e.data);
    var target = document.getElementById(data.target);
    if (target) {
      target.innerHTML = data.html;  // rendered and escaped by the server's template
      target.setAttribute("data-generation", data.generation);
    }
    received[data.target] = true;
    if (expected.every(function (id) { return received[id]; })) setStatus("live", true);
    if (data.celebrate) {
      showPanelOf(target);
      celebrate(data.celebrate, data.deal);
    }
  });

  // Wall screen rotation.
  var panels = Array.prototype.slice.call(document.querySelectorAll(".lb-panel"));
  var seconds = parseInt(root.getAttribute("data-rotate") || "0", 10);
  var current = 0;
  function show(i) {
    panels.forEach(function (p, j) { p.hidden = j !== i; });
    current = i;
  }
  function showPanelOf(el) {
    if (panels.length < 2 || !el) return;
    var panel = el.closest(".lb-panel");
    var i = panels.indexOf(panel);
    if (i >= 0) show(i);
  }
  if (panels.length > 1 && seconds > 0) {
    setInterval(function () { show((current + 1) % panels.length); }, seconds * 1000);
  }
})();
