using System.Collections.Frozen;

namespace Understudy.Policy;

/// <summary>
/// The built-in list behind <c>deny_password_managers</c>: applications that show secrets by
/// design. A window belongs to one when its WM_CLASS class, instance or process name, lower-cased
/// with everything but letters and digits removed, equals a name here, or when one of its
/// dot-separated parts does (reverse-DNS classes such as <c>org.gnome.seahorse.Application</c>).
/// </summary>
public static class PasswordManagers
{
    /// <summary>The names as documented.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "keepassxc", "keepass", "keepass2", "keepassx", "1password", "bitwarden", "lastpass", "enpass", "dashlane",
        "seahorse", "gnome-keyring", "kwalletmanager", "kwalletmanager5", "kwalletmanager6", "proton pass", "protonpass",
        "passwordsafe", "pwsafe", "gnome-passwordsafe", "keeper", "keepersecurity", "roboform", "nordpass", "passbolt",
        "buttercup", "authpass", "qtpass", "gopass", "secrets", "keyring", "kleopatra", "gpa", "padloc", "psono",
    ];

    private static readonly FrozenSet<string> Normalized = Names.Select(Normalize).ToFrozenSet(StringComparer.Ordinal);

    public static bool IsPasswordManager(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }
        if (Normalized.Contains(Normalize(name)))
        {
            return true;
        }
        foreach (var part in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Normalized.Contains(Normalize(part)))
            {
                return true;
            }
        }
        return false;
    }

    private static string Normalize(string name) => string.Concat(name.Where(char.IsLetterOrDigit)).ToLowerInvariant();
}
