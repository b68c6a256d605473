// @tesseract.js-data/eng ships no types: its main module describes the data folder.
declare module "@tesseract.js-data/eng" {
  const data: { code: string; gzip: boolean; langPath: string };
  export default data;
}
