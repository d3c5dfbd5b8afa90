// A target as data: what was promised, what was measured, whether it holds.

export function atMost(description, measured, limit, unit = "×") {
  return { description, measured, limit, unit, comparison: "<=", ok: Number.isFinite(measured) && measured <= limit };
}

export function atLeast(description, measured, limit, unit = "×") {
  return { description, measured, limit, unit, comparison: ">=", ok: Number.isFinite(measured) && measured >= limit };
}
