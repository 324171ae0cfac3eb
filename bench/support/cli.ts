/** `--name value` or `--name=value` among a generator's command-line arguments (undefined when absent). */
export function cliOption(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}
