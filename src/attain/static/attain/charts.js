// Draw every element with data-figure="<id of a json_script holding a Plotly figure>".
// Text and height follow the page's root font size, so a wall screen gets larger charts.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Plotly) return;
  var scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1;
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    layout.font = Object.assign({}, layout.font, { size: ((layout.font || {}).size || 13) * scale });
    if (layout.height) layout.height = layout.height * scale;
    el.style.minHeight = (layout.height || 340) + "px";
    Plotly.newPlot(el, figure.data, layout, { responsive: true, displaylogo: false });
  });
});
