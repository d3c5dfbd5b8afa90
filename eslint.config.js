import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "release/**", "**/fixtures/**", "**/schema/**", ".turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Control characters are what the readers and their tests are about.
      "no-control-regex": "off",
      // `_name` marks a value destructured away on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^_", argsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // Size: a file a newcomer can read, a function that fits on a screen.
      "max-lines": ["error", { max: 400 }],
      "max-lines-per-function": ["error", { max: 80 }],
    },
  },
  // Who may import whom (CONTRIBUTING.md): watchfile is the only package all may import, cli imports them all.
  ...Object.entries({
    watchfile: ["manifest", "introspect", "merge", "cli"],
    manifest: ["introspect", "merge", "cli"],
    introspect: ["manifest", "merge", "cli"],
    merge: ["introspect", "cli"],
  }).map(([pkg, forbidden]) => ({
    files: [`packages/${pkg}/src/**`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: forbidden.map((name) => `@autowatch/${name}`).flatMap((name) => [name, `${name}/*`]),
              message: `@autowatch/${pkg} may not import this package`,
            },
          ],
        },
      ],
    },
  })),
  {
    // describe/it callbacks are lists of cases, not functions to read as one.
    files: ["**/test/**", "tests/**"],
    rules: { "max-lines-per-function": "off" },
  },
);
