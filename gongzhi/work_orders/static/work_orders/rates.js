/* The rates page's charts (reports/rates.html): the 12-month trend and this period's categories by status.
   Data comes from the page's json_script blocks (#trend-data, #breakdown-data). Tooltips draw on the canvas
   (renderMode "richText"): ECharts' HTML tooltips carry style attributes, which the CSP refuses. */
(function () {
  "use strict";
  var font = {fontFamily: "system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"};
  var trend = JSON.parse(document.getElementById("trend-data").textContent);
  var trendChart = echarts.init(document.getElementById("chart-trend"));
  var pct = function (key) { return trend.map(function (m) { return m[key] === null ? null : Number(m[key]); }); };
  trendChart.setOption({
    textStyle: font,
    color: ["#9fb7d6", "#c0392b", "#2e7d32", "#e0a800"],
    tooltip: {trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v === null || v === undefined ? "无" : v; }},
    legend: {data: ["受理量", "响应率", "解决率", "满意率"], bottom: 0},
    grid: {left: 48, right: 52, top: 36, bottom: 60},
    xAxis: {type: "category", data: trend.map(function (m) { return m.month.replace(/^\d{4}年/, ""); }), axisLabel: {interval: 0}},
    yAxis: [
      {type: "value", name: "受理量（件）", minInterval: 1},
      {type: "value", name: "比率（%）", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}
    ],
    series: [
      {name: "受理量", type: "bar", data: trend.map(function (m) { return m.received; }), barMaxWidth: 26},
      {name: "响应率", type: "line", yAxisIndex: 1, data: pct("response"), connectNulls: false, symbolSize: 6},
      {name: "解决率", type: "line", yAxisIndex: 1, data: pct("resolution"), connectNulls: false, symbolSize: 6},
      {name: "满意率", type: "line", yAxisIndex: 1, data: pct("satisfaction"), connectNulls: false, symbolSize: 6}
    ]
  });
  var charts = [trendChart];
  var el = document.getElementById("chart-categories");
  if (el) {
    var breakdown = JSON.parse(document.getElementById("breakdown-data").textContent);
    var colors = {submitted: "#c0392b", accepted: "#e67e22", on_site: "#f1c40f", resolved: "#5dade2", confirmed: "#27ae60", closed: "#7f8c8d", cancelled: "#cccccc"};
    var catChart = echarts.init(el);
    catChart.setOption({
      textStyle: font,
      tooltip: {trigger: "axis", renderMode: "richText", axisPointer: {type: "shadow"}},
      legend: {bottom: 0},
      grid: {left: 48, right: 16, top: 24, bottom: 72},
      xAxis: {type: "category", data: breakdown.categories, axisLabel: {interval: 0, rotate: 30}},
      yAxis: {type: "value", name: "件", minInterval: 1},
      series: breakdown.series.map(function (s) {
        return {name: s.label, type: "bar", stack: "total", data: s.data, itemStyle: {color: colors[s.status]}, barMaxWidth: 36};
      })
    });
    charts.push(catChart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.dataset.chartsReady = "1";
})();
