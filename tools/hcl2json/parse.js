// Parses every .tf file of a Terraform module with HashiCorp's HCL parser (@cdktf/hcl2json,
// the Go hcl library built to WASM) and prints one JSON document on stdout:
//   { "files": { "<name>.tf": <hcl2json's JSON of that file> },
//     "refs":  { "<expression string>": [ ["aws_x", "name", "[]", "attr"], ... ] } }
// "refs" lists, for every expression string of the files, the references in it as HCL's own
// expression AST sees them: the traversal parts, then '["key"]' or '[0]' for a literal index,
// "[]" for a computed one, "[*]" for a splat; names
// bound by a for expression are left out. Usage: node parse.js <module dir> [file.tf ...]
'use strict';
const fs = require('fs');
const path = require('path');
const hcl = require('@cdktf/hcl2json');

function parts(node) {
  switch (node.type) {
    case 'scopeTraversal':
      return node.meta.traversal.map(traversalPart);
    case 'index': {
      const src = parts(node.children[0]);
      return src && [...src, indexPart(node.children[1])];
    }
    case 'relativeTraversal': {
      const src = node.children[0].type === '' ? [] : parts(node.children[0]);
      return src && [...src, ...node.meta.traversal.map(traversalPart)];
    }
    case 'splat': {
      const src = parts(node.children[0]);
      const each = node.children[1];
      const rest = each && each.type === 'relativeTraversal' ? each.meta.traversal.map(traversalPart) : [];
      return src && [...src, '[*]', ...rest];
    }
    default:
      return null;
  }
}

function traversalPart(t) {
  if (t.type === 'nameTraversal') return t.segment;
  if (t.type === 'indexTraversal') return /^[0-9]+$|^"[^"\\]*"$/.test(t.segment) ? `[${t.segment}]` : '[]';
  return '[*]';
}

// A literal key stays visible ('["migrate"]', '[0]'), anything computed is '[]'.
function indexPart(key) {
  if (key && key.type === 'literalValue' && key.meta.type === 'number') return `[${key.meta.value}]`;
  if (key && key.type === 'template' && key.children.length === 1 && key.children[0].type === 'literalValue') {
    return `[${JSON.stringify(key.children[0].meta.value)}]`;
  }
  return '[]';
}

// Children that are not the source of the chain a node continues (an index's key, ...).
function sideChildren(node) {
  switch (node.type) {
    case 'index': return node.children.slice(1);
    case 'relativeTraversal': return node.children[0] && parts(node.children[0]) ? [] : node.children;
    case 'splat': return [];
    default: return null;
  }
}

function collect(node, bound, out) {
  if (!node) return;
  const p = parts(node);
  if (p) {
    if (!bound.includes(p[0])) out.push(p);
    const side = sideChildren(node) || [];
    // walk down the chain's sources to reach every index key on the way
    let n = node;
    while (n && (n.type === 'index' || n.type === 'relativeTraversal' || n.type === 'splat')) {
      for (const c of sideChildren(n) || []) collect(c, bound, out);
      n = n.children[0];
    }
    return;
  }
  if (node.type === 'for') {
    const inner = [...bound, node.meta.keyVar, node.meta.valVar].filter(Boolean);
    // the collection is evaluated outside the for's names
    const [first, ...rest] = node.children;
    collect(first, bound, out);
    for (const c of rest) collect(c, inner, out);
    return;
  }
  for (const c of node.children || []) collect(c, bound, out);
}

async function refsOf(expr) {
  const ast = await hcl.getExpressionAst('expr.tf', '<<EOT\n' + expr + '\nEOT\n');
  const out = [];
  collect(ast, [], out);
  return out;
}

function strings(value, out) {
  if (typeof value === 'string') {
    if (/(^|[^$])\$\{|(^|[^%])%\{/.test(value)) out.add(value);
  } else if (Array.isArray(value)) {
    value.forEach((v) => strings(v, out));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => strings(v, out));
  }
}

(async () => {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node parse.js <module dir> [file.tf ...]');
    process.exit(2);
  }
  const names = process.argv.length > 3 ? process.argv.slice(3)
    : fs.readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
  const files = {};
  const exprs = new Set();
  for (const name of names) {
    try {
      files[name] = await hcl.parse(name, fs.readFileSync(path.join(dir, name), 'utf8'));
    } catch (e) {
      console.error(`${name}: ${e.message}`);
      process.exit(1);
    }
    strings(files[name], exprs);
  }
  const refs = {};
  for (const e of exprs) {
    try {
      refs[e] = await refsOf(e);
    } catch (err) {
      console.error(`expression ${JSON.stringify(e)}: ${err.message}`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify({ files, refs }));
})();
