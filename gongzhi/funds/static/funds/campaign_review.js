/* The weekly review's payment-rate curve (funds/campaign_review.html). The data comes from the page's
   json_script block (#curve-data): building names are owners' data, so never markup or code. Tooltips
   draw on the canvas (renderMode "richText"): ECharts' HTML tooltips carry style attributes, which the
   Content-Security-Policy refuses. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("curve-data").textContent);
  var chart = echarts.init(document.getElementById("curve"));
  var series = [
    {name: "交款率（户数）", type: "line", data: data.count, lineStyle: {width: 3},
     markLine: {silent: true, symbol: "none", data: [{yAxis: 70, name: "七成"}, {yAxis: 90, name: "九成"}], label: {formatter: "{c}%"}}},
    {name: "交款率（金额）", type: "line", data: data.amount, lineStyle: {type: "dashed"}}
  ];
  Object.keys(data.buildings).forEach(function (name) {
    series.push({name: name, type: "line", data: data.buildings[name], lineStyle: {width: 1}, symbol: "none"});
  });
  chart.setOption({
    tooltip: {trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
    legend: {top: 0, type: "scroll"},
    grid: {left: 48, right: 56, top: 48, bottom: 32},
    xAxis: {type: "category", data: data.days},
    yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
