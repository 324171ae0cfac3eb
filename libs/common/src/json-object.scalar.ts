import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** A JSON object (custom attributes). */
export const JSONObjectScalar = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object, e.g. custom attributes keyed by their definition key.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new TypeError('JSONObject must be an object');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.OBJECT) throw new TypeError('JSONObject must be an object');
    return literalValue(ast);
  },
});

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value)]));
    case Kind.LIST:
      return ast.values.map(literalValue);
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      throw new TypeError('Variables inside a JSONObject literal are not supported');
  }
}
