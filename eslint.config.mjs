import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    ".data/**",
    "node_modules/**",
    "drizzle/**",
    "test-results/**",
    "playwright-report/**",
    ".reports/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // lib/env.ts is the only reader of process.env (HOUSE_STYLE 8).
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/env.ts." },
      ],
    },
  },
  {
    // No user-facing text hard-coded in components: every string comes from messages/*.json.
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    rules: { "react/jsx-no-literals": ["error", { noStrings: false, ignoreProps: true }] },
  },
  {
    // A payment client is the same code in sandbox and live mode: only its config (base URL,
    // credentials) differs, so nothing in it may name the mode or the sandbox's address.
    // dependency-cruiser holds the rest of this boundary (no sandbox imports, no env behind the
    // provider's face: .dependency-cruiser.cjs).
    files: ["lib/payments/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "Identifier[name=/^(isSandbox|paymentsMode)$/]",
          message: "The payment client does not know which mode it runs in.",
        },
        {
          selector: "Literal[value=/PAYMENTS_MODE|[/]sandbox[/]/]",
          message:
            "The payment client does not know which mode it runs in or where the sandbox is.",
        },
        {
          selector: "TemplateElement[value.raw=/PAYMENTS_MODE|[/]sandbox[/]/]",
          message:
            "The payment client does not know which mode it runs in or where the sandbox is.",
        },
      ],
    },
  },
  {
    files: [
      "lib/env.ts",
      "instrumentation.ts",
      "scripts/**",
      "tests/**",
      "playwright.config.ts",
      "vitest.*.ts",
      "drizzle.config.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
]);
