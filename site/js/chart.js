// A bar chart drawn as SVG (no library): one bar per point, its value on top and its label below. Sizes are SVG
// attributes and colours come from style.css, so nothing needs an inline style.

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 240;
const TOP = 24; // room for the value above the tallest bar
const BOTTOM = 28; // room for the labels
const MIN_WIDTH = 760; // the drawing scales to its box; this keeps a few bars from looking huge
const SLOT = 24; // the narrowest room per bar (a year of days)
const BAR = 56; // the widest a bar gets
const MAX_LABELS = 14;

function svg(tag, attributes = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * @param {{key: string, label: string, value: number, title: string, text: string}[]} points key: what the bar
 *   stands for (data-key); title: the tooltip; text: the value
 * @param {string} description what the chart shows, for screen readers
 * @param {string} emptyText what an empty chart says
 */
export function barChart(points, description, emptyText) {
  const width = Math.max(points.length * SLOT, MIN_WIDTH);
  const plot = HEIGHT - TOP - BOTTOM;
  const max = Math.max(...points.map((p) => p.value), 0);
  const slot = width / Math.max(points.length, 1);
  const barWidth = Math.min(slot * 0.7, BAR);
  const labelEvery = Math.ceil(points.length / MAX_LABELS); // a long period labels every few days
  const chart = svg("svg", { viewBox: `0 0 ${width} ${HEIGHT}`, role: "img", "aria-label": description });
  chart.append(svg("title", {}, description));
  chart.append(svg("line", { x1: 0, x2: width, y1: TOP + plot, y2: TOP + plot, class: "axis" }));
  points.forEach((point, i) => {
    const x = i * slot;
    const barHeight = max > 0 ? Math.round((point.value / max) * plot) : 0;
    const y = TOP + plot - barHeight;
    const bar = svg("rect", {
      x: x + (slot - barWidth) / 2,
      y,
      width: barWidth,
      height: Math.max(barHeight, point.value > 0 ? 1 : 0),
      class: "bar",
      "data-testid": "chart-bar",
      "data-label": point.label,
      "data-key": point.key,
    });
    bar.append(svg("title", {}, point.title));
    chart.append(bar);
    if (point.value > 0) {
      chart.append(svg("text", { x: x + slot / 2, y: y - 6, class: "value", "text-anchor": "middle" }, point.text));
    }
    if (i % labelEvery === 0) {
      const label = svg("text", { x: x + slot / 2, y: HEIGHT - 8, class: "label", "text-anchor": "middle" });
      label.textContent = point.label;
      chart.append(label);
    }
  });
  if (max === 0) {
    chart.append(svg("text", { x: width / 2, y: TOP + plot / 2, class: "label", "text-anchor": "middle" }, emptyText));
  }
  return chart;
}
