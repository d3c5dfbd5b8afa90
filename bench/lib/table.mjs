// Prints a benchmark's table (the same `{ columns, rows }` that results.json stores).

export function formatTable({ columns, rows }) {
  const cells = [columns, ...rows.map((row) => row.map(formatCell))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => String(row[index] ?? "").length)));
  const line = (row) => row.map((cell, index) => pad(String(cell ?? ""), widths[index], index)).join("  ");
  return [line(cells[0]), widths.map((width) => "-".repeat(width)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export function formatCell(cell) {
  if (typeof cell === "number") return Number.isInteger(cell) ? String(cell) : cell.toFixed(cell >= 100 ? 0 : 2);
  return cell ?? "";
}

function pad(text, width, index) {
  // first column (labels) left-aligned, numbers right-aligned
  return index === 0 ? text.padEnd(width) : text.padStart(width);
}
