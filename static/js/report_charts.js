/* The 统计 page's 12-month trend (reports/templates/reports/dashboard.html).
 *
 * Reads the data from the json_script element #trend-data ({labels, titles, series: [{name, label,
 * values, urls}]}) — no data is written into a script — and draws it with the vendored Chart.js:
 * hazards found and closed as bars, inspection actions as a line on its own axis. The chart fills a
 * fixed-height box (.chart-box) and keeps no aspect ratio, so it reads on a 390 px phone. Clicking a
 * bar or point opens the records behind that month's figure.
 */
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var styles = {
    found: { type: "bar", color: "#f08c00", axis: "y" },
    closed: { type: "bar", color: "#2f9e44", axis: "y" },
    actions: { type: "line", color: "#1d5bb0", axis: "y2" },
  };
  var hasLine = false;
  var datasets = data.series.map(function (s) {
    var style = styles[s.name] || { type: "bar", color: "#868e96", axis: "y" };
    if (style.axis === "y2") {
      hasLine = true;
    }
    return {
      type: style.type,
      label: s.label,
      data: s.values,
      urls: s.urls,
      yAxisID: style.axis,
      backgroundColor: style.color,
      borderColor: style.color,
      borderWidth: style.type === "line" ? 2 : 0,
      pointRadius: style.type === "line" ? 3 : 0,
      spanGaps: false,
      order: style.type === "line" ? 0 : 1,
    };
  });
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;
  var scales = {
    x: { ticks: { autoSkip: true, maxRotation: 0, font: { size: narrow ? 10 : 12 } }, grid: { display: false } },
    y: {
      beginAtZero: true,
      ticks: { precision: 0, font: { size: narrow ? 10 : 12 } },
      title: { display: !narrow, text: "隐患（个）" },
    },
  };
  if (hasLine) {
    scales.y2 = {
      beginAtZero: true,
      position: "right",
      grid: { drawOnChartArea: false },
      ticks: { precision: 0, font: { size: narrow ? 10 : 12 } },
      title: { display: !narrow, text: "检查行动（次）" },
    };
  }
  var chart = new window.Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12, font: { size: narrow ? 11 : 12 } } },
        tooltip: {
          callbacks: {
            title: function (items) {
              return items.length ? data.titles[items[0].dataIndex] : "";
            },
          },
        },
      },
      scales: scales,
      onClick: function (event, elements) {
        if (!elements.length) {
          return;
        }
        var hit = elements[0];
        var url = chart.data.datasets[hit.datasetIndex].urls[hit.index];
        if (url) {
          window.location.href = url;
        }
      },
    },
  });
  canvas.dataset.drawn = "true";
})();
