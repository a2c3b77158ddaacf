/** WGSL files are bundled as text by esbuild (loader `.wgsl: text`), in every build and in tests. */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
