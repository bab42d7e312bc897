// Module resolution hooks that give each SDK instance its own copy of an ES module graph.
//
// The kit imports an SDK as `file:///.../index.js?kit_instance=N`; every module that graph
// imports gets the same `kit_instance=N` query, so the next instance (after a `restart`) loads
// brand-new modules with none of the old instance's module-level state. CommonJS has
// `require.cache` for this; ES modules have no way to be unloaded.

const TAG = /[?&]kit_instance=(\d+)/;

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const parent = context.parentURL ? TAG.exec(context.parentURL) : null;
  if (!parent || !result.url.startsWith('file:') || TAG.test(result.url)) return result;
  const url = new URL(result.url);
  url.searchParams.set('kit_instance', parent[1]);
  return { ...result, url: url.href };
}
