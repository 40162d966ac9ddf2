// Preloaded into each run of the book-run benchmark (`node --import .../peak-rss.js ...`): prints the
// process's peak resident set size on stderr as it exits, for the table's peak RSS column.
process.on("exit", () => {
  process.stderr.write(`\nbp-bench-peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
