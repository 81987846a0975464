// What commands may use of the process: output streams, working directory, and whether a person
// is at the terminal. main() takes it as a parameter so tests can run in-process.

export interface CliIO {
  /** Data: what a script would pipe on (file lists, JSON). */
  stdout(text: string): void;
  /** Messages for the person at the terminal: progress, problems, summaries. */
  stderr(text: string): void;
  cwd: string;
  /** Both stdin and stdout are terminals: prompting is allowed. */
  interactive: boolean;
  /** Colors on stderr: a terminal, and NO_COLOR unset or empty. */
  color: boolean;
  ask(question: string): Promise<string>;
}

export function processIO(): CliIO {
  const noColor = (process.env.NO_COLOR ?? "") !== "";
  // `evgen schema | head`: a reader that stops early is not an error of ours.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    color: Boolean(process.stderr.isTTY) && !noColor,
    async ask(question) {
      // Loaded when a question is asked: most runs never ask one.
      const { createInterface } = await import("node:readline/promises");
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
  };
}
