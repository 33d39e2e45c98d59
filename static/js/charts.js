// Draws every chart of the page with plotly.js (vendor/plotly.min.js, loaded before this file).
//
// A chart is <div class="chart" data-figure="ID">; its figure ({data, layout}, Plotly's format,
// made on the server) is the JSON of the json_script element with that id. No inline script:
// the Content-Security-Policy refuses them. Without JavaScript the page's "view as table"
// alternative next to each chart still says everything the chart shows.
(function () {
  "use strict";
  if (!window.Plotly) {
    return;
  }
  var config = {displaylogo: false, responsive: true};
  document.querySelectorAll(".chart[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout || {}, config);
  });
})();
