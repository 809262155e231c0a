/// Command-line spellings Go's kingpin accepts and ArgumentParser does not.
public enum GoFlagArguments {
    /// Rewrites `--flag=` (an explicitly empty value, as in `--persistence.file=`) into `--flag ""`:
    /// ArgumentParser reads the former as a missing value, kingpin as the empty string.
    public static func normalized(_ arguments: [String]) -> [String] {
        arguments.flatMap { argument -> [String] in
            guard argument.hasPrefix("--"), argument.hasSuffix("="), argument.utf8.count > 3,
                argument.dropFirst(2).dropLast().firstIndex(of: "=") == nil
            else {
                return [argument]
            }
            return [String(argument.dropLast()), ""]
        }
    }
}
