using System.Diagnostics;

namespace Understudy.Tests.Dataset.Build;

/// <summary>
/// Checks PyAutoGUI code with Python's own parser: every statement must be one call of an
/// allowed pyautogui/computer function with literal arguments. Python 3 is installed by
/// scripts/install-desktop-packages.sh.
/// </summary>
internal static class PythonCheck
{
    private const string Script = """
        import ast, json, sys
        allowed = {
            "pyautogui": {"click", "doubleClick", "rightClick", "middleClick", "moveTo", "dragTo", "scroll", "hscroll",
                          "write", "press", "hotkey", "keyDown", "keyUp", "mouseDown", "mouseUp"},
            "computer": {"tripleClick", "terminate"},
        }
        problems = []
        for number, line in enumerate(sys.stdin, 1):
            code = json.loads(line)
            try:
                tree = ast.parse(code)
            except SyntaxError as error:
                problems.append(f"{number}: syntax error {error.msg}: {code!r}")
                continue
            for statement in tree.body:
                call = statement.value if isinstance(statement, ast.Expr) else None
                if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute) or not isinstance(call.func.value, ast.Name):
                    problems.append(f"{number}: not a single call: {code!r}")
                    continue
                module, name = call.func.value.id, call.func.attr
                if name not in allowed.get(module, ()):
                    problems.append(f"{number}: {module}.{name} is not in the action space")
                for argument in list(call.args) + [k.value for k in call.keywords]:
                    if not isinstance(argument, ast.Constant) and not (isinstance(argument, ast.UnaryOp) and isinstance(argument.operand, ast.Constant)):
                        problems.append(f"{number}: non-literal argument in {code!r}")
                for keyword in call.keywords:
                    if keyword.arg in ("x", "y") and not (0.0 <= keyword.value.value <= 1.0):
                        problems.append(f"{number}: coordinate {keyword.arg}={keyword.value.value} outside [0, 1]")
        print("\n".join(problems) if problems else "ok")
        """;

    /// <summary>"ok", or one line per problem.</summary>
    public static string Check(IEnumerable<string> codes)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        foreach (var code in codes)
        {
            process.StandardInput.WriteLine(System.Text.Json.JsonSerializer.Serialize(code));
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Trim() : $"python3 failed ({process.ExitCode}): {error}";
    }
}
