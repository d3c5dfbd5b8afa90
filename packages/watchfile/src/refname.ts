/**
 * The rules of git-check-ref-format(1) that hold for every ref name, full (`refs/heads/x`) or
 * short (`x`): the reason a name is refused, worded with `noun`, or undefined. One definition
 * for the merge (branch names workers send) and introspect (ref names read from a checkout).
 */
export function refNameProblem(name: string, noun = "ref name"): string | undefined {
  if (/[\u0000-\u0020\u007f]/.test(name)) return `${noun} contains a space or control character`;
  if (/[~^:?*[\\]/.test(name)) return `${noun} contains one of ~ ^ : ? * [ \\`;
  if (name.includes("..")) return `${noun} contains '..'`;
  if (name.includes("@{")) return `${noun} contains '@{'`;
  if (name.startsWith("/") || name.endsWith("/")) return `${noun} starts or ends with '/'`;
  if (name.includes("//")) return `${noun} contains '//'`;
  if (name.endsWith(".")) return `${noun} ends with '.'`;
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return `a ${noun} component starts with '.'`;
    if (component.endsWith(".lock")) return `a ${noun} component ends with '.lock'`;
  }
  return undefined;
}
