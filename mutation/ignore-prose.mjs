// A Stryker ignorer: mutants inside the prose of a policy or setting (its description, remediation steps,
// "beyond the anchors" note and the references it cites) are not counted. They change what a reader is told,
// never what is checked or computed, so no behavioural test could (or should) notice them. A value under one of
// these keys that computes anything (a comparison, a call, a condition) is not prose and stays mutated.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

export const PROSE_KEYS = new Set(["description", "remediationSteps", "beyondAnchors", "references"]);

/** Node types text is built from: literals, lists and records of them, "+" and interpolated names. */
const TEXT_NODES = new Set([
  "StringLiteral",
  "TemplateLiteral",
  "TemplateElement",
  "NumericLiteral",
  "ArrayExpression",
  "ObjectExpression",
  "ObjectProperty",
  "Identifier",
  "MemberExpression",
]);

function isText(node) {
  if (node === null || typeof node !== "object") return true;
  if (Array.isArray(node)) return node.every(isText);
  if (typeof node.type !== "string") return true;
  if (!TEXT_NODES.has(node.type) && !(node.type === "BinaryExpression" && node.operator === "+"))
    return false;
  return Object.entries(node).every(
    ([k, v]) =>
      ["loc", "start", "end", "extra", "leadingComments", "trailingComments", "innerComments"].includes(k) ||
      isText(v),
  );
}

function keyName(node) {
  if (node.computed) return undefined;
  if (node.key.type === "Identifier") return node.key.name;
  if (node.key.type === "StringLiteral") return node.key.value;
  return undefined;
}

export const prose = {
  shouldIgnore(path) {
    for (let p = path; p?.parentPath; p = p.parentPath) {
      const parent = p.parentPath.node;
      if (parent.type === "ObjectProperty" && p.key === "value" && PROSE_KEYS.has(keyName(parent)))
        return isText(parent.value)
          ? `prose (${keyName(parent)}): text for readers, not behaviour`
          : undefined;
    }
    return undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, "prose", prose)];
