/**
 * A value produced when the chart is synthesised, as an implicit token: an object with a `resolve()` method,
 * which every cdk8s copy's resolver calls. Not `Lazy`: cdk8s recognises a Lazy by `instanceof` against its own
 * class, so the Lazy of netpol's copy of cdk8s cannot be rendered by an app's other copy (netpol installed by
 * `npm install /path/to/netpol`, a link, keeps its own node_modules), and synth fails with "can't render
 * non-simple object of type 'Lazy'". Typed `any`, as `Lazy.any` is: it stands where any JSON value may.
 */
export const atSynth = (produce: () => unknown): any => ({ resolve: produce });
