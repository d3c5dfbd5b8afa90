/**
 * pip is the judge: every requirement file here (the fixtures, written in the style of public
 * projects, and one file per grammar case below) is read by pip 23's own parser
 * (pip._internal.req.req_file.parse_requirements, from Debian's python3-pip, judge.py: one Python
 * process for all files) and by autowatch's pip format. They must agree exactly on every VCS
 * requirement: file and line, -e or not, constraint or not, project name, VCS, URL, revision.
 * A requirement pip refuses must be reported by us as an error at its file and line, never watched.
 * One deliberate difference: credentials in a URL (a password, a token from a variable) are removed.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withoutCredentials } from "../../../src/formats/credentials.js";
import { extractRequirements } from "../../../src/formats/pip/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const REFERENCE_PYTHON = "/usr/bin/python3";
const ENV = {
  PATH: process.env.PATH,
  HOME: "/nonexistent",
  LANG: "C.UTF-8",
  BILLING_REF: "2.1.x",
  ODOO_SERIES: "16.0",
  EMPTY: "",
  GITHUB_TOKEN: "ghp_secret0123",
};

/** Grammar cases: one file each (some refused by pip on purpose). */
const CASES: Record<string, string> = {
  continuation: "-e git+https://github.com/OCA/web.git\\\n@16.0#egg=web\n",
  "continuation-then-comment": "pkg @ git+https://github.com/a/pkg.git@main \\\n# a comment line ends it\nother @ git+https://github.com/a/other.git@dev\n",
  "backslash-at-end-of-file": "x @ git+https://github.com/a/x.git@main \\",
  "inline-comment": "y @ git+https://github.com/a/y.git@main#egg=y  # keep on main\n\t# indented comment\n",
  "hash-in-fragment-is-no-comment": "-e git+https://github.com/a/z.git@main#egg=z\n",
  "env-vars":
    "-e git+https://github.com/OCA/server-env.git@${ODOO_SERIES}#egg=server-env\n-e git+https://github.com/a/u.git@${UNDEFINED_REF}#egg=u\n-e git+https://github.com/a/l.git@${odoo_series}#egg=l\n-e git+https://github.com/a/e.git@x${EMPTY}#egg=e\n",
  "quoted-editable": '-e "git+https://github.com/a/q.git@main#egg=q"\n',
  "attached-short-option": "-egit+https://github.com/a/att.git@1.0#egg=att\n",
  "long-option-abbreviated": "--edit git+https://github.com/a/abbr.git@main#egg=abbr\n",
  "long-option-ambiguous": "--e git+https://github.com/a/amb.git@main#egg=amb\n",
  "unknown-option": "--frobnicate git+https://github.com/a/unk.git@main#egg=unk\n",
  "unclosed-quote": '-e "git+https://github.com/a/uq.git@main#egg=uq\n',
  extras: "odoo-addon-x[test] @ git+https://github.com/OCA/x.git@16.0#subdirectory=setup/x\n-e git+https://github.com/a/ex.git@main#egg=ex[docs]\n",
  markers:
    'm @ git+https://github.com/a/m.git@main ; python_version > "3.6"\nn @ git+https://github.com/a/n.git@main;sys_platform=="linux"\ngit+https://github.com/a/o.git@main#egg=o ; python_version > "3.6"\n',
  "empty-revision": "-e git+https://github.com/a/er.git@#egg=er\n",
  "local-editable": "-e .\n-e ./src/local_pkg\n",
  "no-egg": "-e git+https://github.com/a/ne.git@main\n",
  "bare-url-without-egg": "git+https://github.com/a/bare.git@main\n",
  "tags-and-commits":
    "-e git+https://github.com/a/t.git@refs/tags/v1.0#egg=t\n-e git+https://github.com/a/c.git@0123abc#egg=c\n-e git+https://github.com/a/b.git@refs/heads/feature/x#egg=b\n",
  crlf: "-e git+https://github.com/a/crlf.git@main#egg=crlf\r\nother==1.0\r\n",
  "missing-include": "-r does-not-exist.txt\n",
  "two-includes-on-one-line": "-r inc-a.txt -r inc-b.txt\n",
  "include-without-file": "--requirement\n",
  "svn-credentials": "-e svn+https://user:pw@svn.example.org/r/trunk@99#egg=sv\n-e svn+ssh://user@svn.example.org/r/trunk#egg=sv2\n",
  "scp-like-git": "-e git+git@github.com:a/scp.git#egg=scp\n",
  "git-scheme-shortcut": "-e git://github.com/a/gs.git#egg=gs\n",
  "upper-case-scheme": "-e GIT+HTTPS://github.com/a/up.git@main#egg=up\n",
  "query-string": "-e git+https://example.org/r.git?ref=x@main#egg=qs\n",
  "port-and-user": "-e git+ssh://git@example.org:2222/r/p.git@stable#egg=pu\n",
  "hash-options": "h @ git+https://github.com/a/h.git@main --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
  "option-lines": "--index-url https://pypi.example.org/simple\n--pre\n--trusted-host pypi.example.org\n-f ./wheels\nplain==1.0\n",
  "quoted-option-name": '"--editable" "git+https://github.com/a/qo.git@main#egg=qo"\n',
  "invalid-requirement": "this is not a requirement\nok-pkg>=1.0 ; python_version >= '3'\n",
  credentials:
    "-e git+https://ci:pa55@github.com/a/cr.git@main#egg=cr\n-e git+https://${GITHUB_TOKEN}@github.com/a/tk.git@main#egg=tk\n-e git+ssh://git@github.com/a/ssh.git@main#egg=ssh\n",
  // as acsoo's pr-status tests write them: a continuation right after the fragment's `#`
  "continued-fragment":
    "# closed not merged\n-e git+https://github.com/OCA/mis-builder@refs/pull/298/head#\\\nsubdirectory=setup/mis_builder&egg=odoo13-addon-mis_builder\n" +
    "odoo10-addon-suspend_security @ \\\ngit+https://github.com/OCA/server-tools@refs/pull/100/head#\\\nsubdirectory=setup/suspend_security\n",
  "byte-order-mark": "\uFEFF-e git+https://github.com/a/bom.git@main#egg=bom\n",
  "tab-before-comment": "t2 @ git+https://github.com/a/t2.git@main\t# tab\n",
  // Python's whitespace, not JavaScript's: U+001F is a space to pip (re's \s, str.strip()), U+FEFF is not
  "unit-separator-before-comment": "w1 @ git+https://github.com/a/w1.git@main\x1f# comment\nw2 @ git+https://github.com/a/w2.git@main\ufeff# no comment\n",
  "unit-separator-around-line": "\x1f-e git+https://github.com/a/w3.git@main#egg=w3\x1f\n\x1f\nw4 @ git+https://github.com/a/w4.git@main\x1f\n",
  // packaging 21.3 (pip 23) reads `NAME @ URL` with pyparsing: URL is `[^ ]+`, only whitespace may follow
  "url-then-other-spaces": "w8 @ git+https://github.com/a/w8.git@main\ufeff\nw9 @ git+https://github.com/a/w9.git@main trailing words\nw10\xa0>=1.0\n",
  // shlex splits options at space, tab, CR and LF only
  "option-then-other-spaces": "-e\xa0git+https://github.com/a/w11.git@main#egg=w11\n--editable\tgit+https://github.com/a/w12.git@main#egg=w12\n",
  "python-line-breaks":
    "-e git+https://github.com/a/w5.git@main#egg=w5\x1c-e git+https://github.com/a/w6.git@main#egg=w6\u2028w7 @ git+https://github.com/a/w7.git@main\n",
};

interface PipEntry {
  file: string;
  line: number;
  editable: boolean;
  constraint: boolean;
  name?: string | null;
  vcs?: string;
  url?: string;
  revision?: string | null;
  error?: string;
}
interface PipFile {
  ok: boolean;
  error?: string;
  requirements: PipEntry[];
}

let work: string;
let judged: Record<string, PipFile>;
const files: string[] = [];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "autowatch-pip-conformance-"));
  cpSync(path.join(here, "fixtures"), path.join(work, "fixtures"), { recursive: true });
  for (const fixture of readdirSync(path.join(work, "fixtures")).sort()) {
    const directory = path.join(work, "fixtures", fixture);
    for (const name of readdirSync(directory).sort()) {
      const file = path.join(directory, name);
      if (statSync(file).isFile() && name.endsWith(".txt")) files.push(file);
    }
  }
  mkdirSync(path.join(work, "cases"));
  writeFileSync(path.join(work, "cases", "inc-a.txt"), "-e git+https://github.com/a/inca.git@main#egg=inca\n");
  writeFileSync(path.join(work, "cases", "inc-b.txt"), "-e git+https://github.com/a/incb.git@main#egg=incb\n");
  for (const [name, text] of Object.entries(CASES)) {
    const file = path.join(work, "cases", `${name}.txt`);
    writeFileSync(file, text);
    files.push(file);
  }
  const run = spawnSync(REFERENCE_PYTHON, [path.join(here, "judge.py"), ...files], { cwd: work, env: ENV, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`judge.py failed: ${run.stderr}`);
  judged = JSON.parse(run.stdout) as Record<string, PipFile>;
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const kind = (entry: { editable: boolean; constraint: boolean }) => (entry.editable ? "-e" : entry.constraint ? "constraint" : "requirement");

describe("pip requirement files: pip's parser is the judge", () => {
  it("has at least 8 fixture projects and a case per grammar form", () => {
    expect(readdirSync(path.join(here, "fixtures")).length).toBeGreaterThanOrEqual(8);
    expect(files.length).toBeGreaterThan(Object.keys(CASES).length + 8);
  });

  it.each([...Object.keys(CASES).map((name) => `cases/${name}.txt`), "fixtures"])("%s", (which) => {
    const chosen = which === "fixtures" ? files.filter((file) => file.includes(`${path.sep}fixtures${path.sep}`)) : [path.join(work, which)];
    for (const file of chosen) {
      const reference = judged[file] as PipFile;
      const ours = extractRequirements({ file, cwd: work, env: ENV });
      const expected = reference.requirements
        .filter((entry) => entry.vcs !== undefined && entry.error === undefined)
        .map((entry) => ({
          file: path.resolve(work, entry.file),
          line: entry.line,
          option: kind(entry),
          name: entry.name ?? undefined,
          vcs: entry.vcs,
          // the one deliberate difference: secrets in a URL are not sent to the master
          url: withoutCredentials(entry.url as string, (entry.url as string).includes(ENV.GITHUB_TOKEN)).url,
          revision: entry.revision ?? undefined,
        }));
      const refusedLines = reference.requirements
        .filter((entry) => entry.error !== undefined)
        .map((entry) => `${path.resolve(work, entry.file)}:${entry.line}`);
      if (!ours.ok) {
        // we refuse the file only when pip refuses it
        expect(reference.ok, `${which}: we refused ${file}: ${ours.error.message}`).toBe(false);
        continue;
      }
      const got = ours.sources.map((source) => ({
        file: source.origin.file,
        line: source.origin.line,
        option: source.origin.option,
        name: source.origin.section,
        vcs: source.vcs,
        url: source.url,
        revision: source.revision,
      }));
      const errors = ours.problems.filter((problem) => problem.level === "error").map((problem) => `${problem.file}:${problem.line}`);
      if (reference.ok) {
        expect(got, `${which}: ${file}`).toEqual(expected);
        for (const line of refusedLines) expect(errors, `${which}: pip refuses ${line}`).toContain(line);
      } else {
        // pip stops at the line it refuses: what it yielded before is ours too, and we report an error
        expect(got.slice(0, expected.length), `${which}: ${file}`).toEqual(expected);
        expect(errors.length, `${which}: pip refused it (${reference.error}); we must say so`).toBeGreaterThan(0);
      }
    }
  });
});
