// Extracts the Terraform schema of the AWS and random providers from the jsii assemblies of
// their prebuilt CDKTF bindings (@cdktf/provider-aws 20.1.0 = hashicorp/aws 5.100.0,
// @cdktf/provider-random 12.0.1 = hashicorp/random 3.7.2) into the compact JSON file the
// infra-terraform tests check the .tf files against.
//
//   cd tools/terraform-schema && npm ci --ignore-scripts --legacy-peer-deps && node extract.js
//
// writes ../../infra-terraform/src/test/resources/terraform/provider-schema.json (or the path
// given as the first argument). Per provider: the provider block's arguments, then every
// resource and data source type:
//   { "a": { "<argument>": "<type>" },   type: string, number, bool, any, list(T), map(T);
//                                          a leading "!" marks a required argument
//     "b": { "<block>": { "min": 0|1, "max": 1|0 (0: no limit), "attr": true (also settable
//                          as an attribute), "s": <nested schema, same shape> } },
//     "c": [ "<attribute that can only be read>" ] }    (resources and data sources only)
// The Terraform name of each argument is the anchor its docs link ends in ("#name").
'use strict';
const fs = require('fs');
const path = require('path');

const PROVIDERS = [
  { name: 'aws', pkg: '@cdktf/provider-aws' },
  { name: 'random', pkg: '@cdktf/provider-random' },
];

function camelToSnake(s) {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function extract(provider) {
  const dir = path.join(__dirname, 'node_modules', ...provider.pkg.split('/'));
  const jsii = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  const types = jsii.types;
  // camelCase -> Terraform name, learnt from every docs link; used for read-only attributes
  const known = new Map();
  const tfName = (prop) => {
    const text = `${prop.docs.summary || ''} ${prop.docs.remarks || ''}`;
    const m = /#([A-Za-z0-9_]+) [A-Za-z0-9]+#[A-Za-z0-9_]+\}/.exec(text);
    return m ? m[1] : null;
  };
  for (const t of Object.values(types)) {
    if (t.kind === 'interface' && t.datatype) {
      for (const p of t.properties || []) {
        const n = tfName(p);
        if (n) known.set(p.name, n);
      }
    }
  }
  const isStruct = (fqn) => types[fqn] && types[fqn].kind === 'interface' && types[fqn].datatype;
  const strip = (ty) => {
    if (ty.union) {
      const rest = ty.union.types.filter((u) => u.fqn !== 'cdktf.IResolvable');
      return rest.length === 1 ? strip(rest[0]) : (rest.length === 0 ? { primitive: 'any' } : ty);
    }
    return ty;
  };
  const typeName = (ty) => {
    ty = strip(ty);
    if (ty.primitive) return ty.primitive === 'boolean' ? 'bool' : ty.primitive === 'json' ? 'any' : ty.primitive;
    if (ty.collection) return `${ty.collection.kind === 'array' ? 'list' : 'map'}(${typeName(ty.collection.elementtype)})`;
    if (ty.fqn === 'cdktf.IResolvable') return 'any';
    if (ty.fqn && isStruct(ty.fqn)) return 'object';
    if (ty.union) return 'any';
    throw new Error(`type ${JSON.stringify(ty)}`);
  };
  const structOf = (ty) => {
    ty = strip(ty);
    if (ty.fqn && isStruct(ty.fqn)) return { fqn: ty.fqn, single: true };
    if (ty.collection && ty.collection.kind === 'array') {
      const e = strip(ty.collection.elementtype);
      if (e.fqn && isStruct(e.fqn)) return { fqn: e.fqn, single: false };
    }
    return null;
  };
  const block = (fqn, blockListsUnbounded) => {
    const a = {};
    const b = {};
    for (const p of types[fqn].properties || []) {
      const name = tfName(p);
      if (!name) throw new Error(`${fqn}.${p.name}: no Terraform name in its docs`);
      const st = structOf(p.type);
      if (st) {
        const isBlock = / block\.$/.test(p.docs.summary || '');
        const entry = { min: p.optional ? 0 : 1, max: st.single && !blockListsUnbounded ? 1 : 0 };
        if (!isBlock) entry.attr = true;
        entry.s = block(st.fqn, blockListsUnbounded);
        b[name] = entry;
      } else {
        a[name] = (p.optional ? '' : '!') + typeName(p.type);
      }
    }
    return { a: sortKeys(a), b: sortKeys(b) };
  };
  const out = { provider: null, resource: {}, data: {} };
  for (const t of Object.values(types)) {
    if (t.kind !== 'class' || !t.initializer) continue;
    const kind = t.base === 'cdktf.TerraformResource' ? 'resource'
      : t.base === 'cdktf.TerraformDataSource' ? 'data'
        : t.base === 'cdktf.TerraformProvider' ? 'provider' : null;
    if (!kind) continue;
    const config = t.initializer.parameters.find((p) => p.name === 'config');
    const configFqn = strip(config.type).fqn;
    if (kind === 'provider') {
      // cdktf gives every provider block a list type, so its block counts stay unchecked
      out.provider = block(configFqn, true);
      continue;
    }
    const m = /\{@link \S+ ([a-z0-9_]+)\}/.exec(t.docs.summary || '');
    if (!m) throw new Error(`${t.fqn}: no Terraform type name`);
    const schema = block(configFqn, false);
    const settable = new Set([...Object.keys(schema.a), ...Object.keys(schema.b)]);
    const inputs = new Set((t.properties || []).filter((p) => p.name.endsWith('Input')).map((p) => p.name));
    const computed = new Set();
    for (const p of t.properties || []) {
      if (p.static || inputs.has(p.name)) continue;
      const name = known.get(p.name) || camelToSnake(p.name);
      if (!settable.has(name)) computed.add(name);
    }
    schema.c = [...computed].sort();
    out[kind][m[1]] = schema;
  }
  return { version: jsii.version, out };
}

function sortKeys(o) {
  return Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

const target = process.argv[2]
  || path.join(__dirname, '..', '..', 'infra-terraform', 'src', 'test', 'resources', 'terraform', 'provider-schema.json');
const lines = ['{'];
const provs = PROVIDERS.map((p) => ({ ...p, ...extract(p) }));
lines.push(`"generated_by": ${JSON.stringify('tools/terraform-schema/extract.js from ' + provs.map((p) => `${p.pkg}@${p.version}`).join(', '))},`);
lines.push('"providers": {');
provs.forEach((p, i) => {
  lines.push(`${JSON.stringify(p.name)}: {`);
  lines.push(`"provider": ${JSON.stringify(p.out.provider)},`);
  for (const kind of ['resource', 'data']) {
    lines.push(`${JSON.stringify(kind)}: {`);
    const names = Object.keys(p.out[kind]).sort();
    names.forEach((n, j) => lines.push(`${JSON.stringify(n)}: ${JSON.stringify(p.out[kind][n])}${j < names.length - 1 ? ',' : ''}`));
    lines.push(kind === 'resource' ? '},' : '}');
  }
  lines.push(i < provs.length - 1 ? '},' : '}');
});
lines.push('}', '}');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, lines.join('\n') + '\n');
const count = (k) => provs.reduce((s, p) => s + Object.keys(p.out[k]).length, 0);
console.error(`${target}: ${count('resource')} resource types, ${count('data')} data sources`);
