using System.Collections.Frozen;
using Understudy.Core.Redaction;

namespace Understudy.Redaction;

/// <summary>What stands in the output for a recognized entity.</summary>
public enum RedactionAction
{
    /// <summary>The type name in angle brackets, e.g. <c>&lt;EMAIL_ADDRESS&gt;</c>.</summary>
    Placeholder,

    /// <summary>A consistent, format-preserving fake value (same input → same fake within one engine).</summary>
    Surrogate,
}

/// <summary>Whether one entity type is recognized and how it is replaced.</summary>
public readonly record struct EntitySetting(bool Enabled, RedactionAction Action);

/// <summary>
/// Configuration of a <see cref="TextRedactionEngine"/>: per entity type on/off and action, the
/// default phone region, the size limit and the time budget. Immutable; the defaults turn every
/// recognizer on with <see cref="RedactionAction.Placeholder"/>.
/// </summary>
public sealed class RedactionOptions
{
    /// <summary>The lower-case setting names a policy uses, and the entity type each stands for.</summary>
    public static readonly FrozenDictionary<string, string> SettingNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["email"] = EntityTypes.Email,
        ["phone"] = EntityTypes.Phone,
        ["credit_card"] = EntityTypes.CreditCard,
        ["iban"] = EntityTypes.Iban,
        ["us_ssn"] = EntityTypes.UsSsn,
        ["ip_address"] = EntityTypes.IpAddress,
        ["url_credentials"] = EntityTypes.UrlCredentials,
        ["date_of_birth"] = EntityTypes.DateOfBirth,
        ["person"] = EntityTypes.Person,
        ["private_key"] = EntityTypes.PrivateKey,
        ["jwt"] = EntityTypes.Jwt,
        ["api_key"] = EntityTypes.ApiKey,
        ["secret"] = EntityTypes.Secret,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every entity type a recognizer reports.</summary>
    public static IReadOnlyCollection<string> RecognizedTypes => SettingNames.Values;

    private readonly FrozenDictionary<string, EntitySetting> _entities;

    public RedactionOptions()
        : this(SettingNames.Values.ToDictionary(type => type, _ => new EntitySetting(true, RedactionAction.Placeholder), StringComparer.Ordinal))
    {
    }

    private RedactionOptions(IDictionary<string, EntitySetting> entities)
    {
        _entities = entities.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private RedactionOptions(RedactionOptions other, IDictionary<string, EntitySetting> entities)
        : this(entities)
    {
        DefaultRegion = other.DefaultRegion;
        MaxInputLength = other.MaxInputLength;
        TimeBudget = other.TimeBudget;
        LongInput = other.LongInput;
    }

    /// <summary>All recognizers on, placeholders.</summary>
    public static RedactionOptions Default { get; } = new();

    /// <summary>ISO 3166 region for phone numbers written without +CC (libphonenumber's default region).</summary>
    public string DefaultRegion { get; init; } = "US";

    /// <summary>Inputs longer than this many UTF-16 code units are scanned in overlapping windows (or fail closed, see <see cref="LongInput"/>).</summary>
    public int MaxInputLength { get; init; } = 64 * 1024;

    /// <summary>How long the scan of one window may take before the input fails closed.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>What happens to input over <see cref="MaxInputLength"/>.</summary>
    public LongInputHandling LongInput { get; init; } = LongInputHandling.ScanInWindows;

    public EntitySetting this[string entityType] => _entities.TryGetValue(entityType, out var setting) ? setting : default;

    public bool IsEnabled(string entityType) => this[entityType].Enabled;

    public RedactionAction ActionFor(string entityType) => this[entityType].Action;

    /// <summary>A copy with one entity type (an <see cref="EntityTypes"/> name) set.</summary>
    public RedactionOptions With(string entityType, bool enabled, RedactionAction action)
    {
        if (!_entities.ContainsKey(entityType))
        {
            throw new ArgumentException($"unknown entity type '{entityType}'", nameof(entityType));
        }
        var copy = new Dictionary<string, EntitySetting>(_entities, StringComparer.Ordinal) { [entityType] = new EntitySetting(enabled, action) };
        return new RedactionOptions(this, copy);
    }

    /// <summary>A copy with every entity type set to the same action.</summary>
    public RedactionOptions WithAction(RedactionAction action)
    {
        var copy = _entities.ToDictionary(pair => pair.Key, pair => pair.Value with { Action = action }, StringComparer.Ordinal);
        return new RedactionOptions(this, copy);
    }

    /// <summary>
    /// The options a policy's <c>recognizers</c> section asks for, keyed by the lower-case names of
    /// <see cref="SettingNames"/> (email, phone, credit_card, iban, us_ssn, ip_address,
    /// url_credentials, date_of_birth, person, private_key, jwt, api_key, secret). Types not named
    /// keep the <paramref name="baseline"/> setting (default: on, placeholder). An unknown name
    /// throws <see cref="ArgumentException"/> naming it.
    /// </summary>
    public static RedactionOptions FromSettings(IReadOnlyDictionary<string, (bool Enabled, RedactionAction Action)> settings, RedactionOptions? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = baseline ?? Default;
        var copy = new Dictionary<string, EntitySetting>(options._entities, StringComparer.Ordinal);
        foreach (var (name, (enabled, action)) in settings)
        {
            if (!SettingNames.TryGetValue(name, out var type))
            {
                throw new ArgumentException($"unknown recognizer '{name}' (known: {string.Join(", ", SettingNames.Keys.Order(StringComparer.Ordinal))})", nameof(settings));
            }
            copy[type] = new EntitySetting(enabled, action);
        }
        return new RedactionOptions(options, copy);
    }
}

/// <summary>What to do with an input longer than <see cref="RedactionOptions.MaxInputLength"/>.</summary>
public enum LongInputHandling
{
    /// <summary>Scan it in overlapping windows of the maximum length (private key blocks are found over the whole text).</summary>
    ScanInWindows,

    /// <summary>Replace it whole with <c>&lt;UNSCANNED&gt;</c>.</summary>
    FailClosed,
}
