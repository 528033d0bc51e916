using System.Collections.Frozen;
using Bogus;
using Bogus.Bson;

namespace Understudy.Redaction.Recognizers;

/// <summary>
/// First and last names from Bogus's locale data (en, de, fr, es, it, nl, pt_BR, pl, sv), built
/// once on first use. <see cref="CommonWords"/> are names that are also ordinary capitalised
/// words ("Will", "May", "Mark", "Brown"): they count as names only with context.
/// </summary>
internal sealed class Gazetteer
{
    private static readonly string[] Locales = ["en", "de", "fr", "es", "it", "nl", "pt_BR", "pl", "sv"];

    private static readonly Lazy<Gazetteer> Instance = new(() => new Gazetteer(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Capitalised English words that are also in the name lists; they need context to count as a name.</summary>
    internal static readonly FrozenSet<string> CommonWords = new[]
    {
        "A", "I", "Will", "May", "Mark", "April", "June", "July", "August", "Bill", "Rose", "Grace", "Hope", "Faith", "Joy", "Art", "Bob",
        "Chase", "Dawn", "Drew", "Gene", "Guy", "Hunter", "Jack", "Jean", "Lane", "Lee", "Long", "Love", "Miles", "Page", "Paris",
        "Pat", "Rich", "Rob", "Ray", "Sky", "Summer", "Sunny", "Victor", "Young", "King", "Brown", "White", "Green", "Black",
        "Gray", "Grey", "Hall", "Hill", "Wood", "Price", "Rice", "Bell", "Case", "Cash", "Cook", "Day", "Dean", "Fisher", "Ford",
        "Frank", "Glass", "Golden", "Good", "Hand", "Hart", "House", "Hunt", "Jordan", "Key", "Lake", "Law", "Little",
        "London", "Major", "Mason", "Master", "Moon", "Morning", "Park", "Parker", "Person", "Pierce", "Pope", "Power",
        "Read", "Reed", "River", "Rock", "Ross", "Rush", "Sharp", "Short", "Silver", "Smart", "Snow", "Spring", "Stone", "Storm",
        "Strong", "Sweet", "Street", "Swift", "Wall", "Walker", "Ward", "Waters", "West", "Wolf", "Wise", "North", "South",
        "East", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
        "September", "October", "November", "December", "Christmas", "Easter", "Autumn", "Winter", "Heaven", "Destiny", "Royal", "Prince",
        "Princess", "General", "Justice", "Liberty", "Unique", "Precious", "Baby", "Lucky", "Star", "Angel", "Crystal", "Amber",
        "Ruby", "Pearl", "Ivy", "Holly", "Daisy", "Lily", "Iris", "Violet", "Olive", "Hazel", "Jade", "Misty", "Melody", "Harmony",
        "Serenity", "Trinity", "Genesis", "Eve", "Max", "Dash", "Ace", "Kit", "Sly", "Sol", "Rex", "Don", "Dick", "Sue", "Van",
        "Carl", "Marshall", "Bishop", "Cardinal", "Deacon", "Judge", "Baker", "Butler", "Carter", "Cooper", "Miller", "Smith",
        "Taylor", "Turner", "Porter", "Potter", "Archer", "Booker", "Banks", "Bond", "Bush", "Church", "Cross", "Field", "Fields",
        "Fox", "Gates", "Glenn", "Gold", "Hardy", "Hope", "Houston", "Jewel", "Joseph", "Lord", "Lamb", "Lot", "Mills", "Noble",
        "Olivia", "Paris", "Penny", "Post", "Pound", "Queen", "Rain", "Rivers", "Sandy", "Shepherd", "Sterling", "Stewart", "Trace",
        "Tucker", "Wade", "Webb", "Welch", "Wells", "Winston", "Worth", "Wren", "Apple", "Berry", "Cherry", "Clay", "Cole", "Crane",
        "Dale", "Delta", "Eagle", "Echo", "Ember", "Finch", "Forest", "Haven", "Heather", "Ocean", "Phoenix", "Raven", "Reign",
        "Sage", "Scout", "Shadow", "Sierra", "Skye", "Sparrow", "Tiger", "Vale", "Willow", "Windy", "Zion", "Alpha", "Beta", "Bravo",
        "Charlie", "Foxtrot", "Golf", "Hotel", "India", "Kilo", "Lima", "Mike", "Oscar", "Papa", "Romeo", "Tango", "Uniform", "Whiskey",
        "Yankee", "Zulu", "Best", "Regards", "Thanks", "Dear", "Hello", "Hi", "Team", "All", "The", "This", "That", "New", "York",
        "Google", "Apple", "Amazon", "Microsoft", "Windows", "Linux", "Chrome", "Firefox", "Safari", "Edge", "Office", "Word", "Excel",
        "Teams", "Slack", "Zoom", "Mail", "Calendar", "Settings", "File", "Edit", "View", "Help", "Tools", "Save", "Open", "Close",
        "Cancel", "Submit", "Search", "Home", "Back", "Next", "Done", "Start", "Stop", "Play", "Pause", "Delete", "Copy", "Paste",
        "Print", "Share", "Send", "Reply", "Forward", "Inbox", "Draft", "Drafts", "Archive", "Spam", "Trash", "Project", "Report",
        "Meeting", "Notes", "Budget", "Sales", "Total", "Price", "Order", "Invoice", "Account", "Customer", "Support", "Admin",
        "User", "Guest", "Login", "Logout", "Password", "Email", "Phone", "Name", "Address", "City", "State", "Country", "Date",
        "Time", "Image", "Video", "Music", "Photo", "Photos", "Document", "Documents", "Download", "Downloads", "Desktop", "Terminal",
        "Browser", "Server", "Client", "Data", "Error", "Warning", "Info", "Debug", "True", "False", "Null", "Yes", "No", "Ok",
        "Inc", "Ltd", "LLC", "Llc", "GmbH", "Corp", "Co", "Group", "Company", "Partners", "Associates", "Bank", "University", "College",
        "School", "Hospital", "Avenue", "Road", "Lane", "Drive", "Boulevard", "Station", "Airport", "Park", "County", "City", "Sons",
    }.ToFrozenSet(StringComparer.Ordinal);

    private Gazetteer()
    {
        var first = new HashSet<string>(StringComparer.Ordinal);
        var last = new HashSet<string>(StringComparer.Ordinal);
        string[] firstKeys = ["first_name", "male_first_name", "female_first_name"];
        string[] allKeys = [.. firstKeys, "last_name"];
        foreach (var locale in Locales)
        {
            if (LocaleNameReader.Read(locale, allKeys) is { } lists)
            {
                foreach (var key in firstKeys)
                {
                    AddParts(first, lists.GetValueOrDefault(key));
                }
                AddParts(last, lists.GetValueOrDefault("last_name"));
                continue;
            }
            // Bogus changed how it embeds its data: go through its own database (which keeps the
            // whole locale in memory afterwards, so it is let go of at once).
            var loadedBefore = Database.Data.IsValueCreated && Database.Data.Value.ContainsKey(locale);
            foreach (var key in firstKeys)
            {
                AddAll(first, locale, key);
            }
            AddAll(last, locale, "last_name");
            if (!loadedBefore)
            {
                Database.Data.Value.TryRemove(locale, out _);
            }
        }
        FirstNames = first.ToFrozenSet(StringComparer.Ordinal);
        LastNames = last.ToFrozenSet(StringComparer.Ordinal);
        FirstLookup = FirstNames.GetAlternateLookup<ReadOnlySpan<char>>();
        LastLookup = LastNames.GetAlternateLookup<ReadOnlySpan<char>>();
        CommonLookup = CommonWords.GetAlternateLookup<ReadOnlySpan<char>>();
        FirstNameList = [.. first.Where(IsPlainName).Where(name => !CommonWords.Contains(name)).Order(StringComparer.Ordinal)];
        LastNameList = [.. last.Where(IsPlainName).Where(name => !CommonWords.Contains(name)).Order(StringComparer.Ordinal)];
    }

    public static Gazetteer Shared => Instance.Value;

    public FrozenSet<string> FirstNames { get; }

    public FrozenSet<string> LastNames { get; }

    public FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FirstLookup { get; }

    public FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> LastLookup { get; }

    public FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CommonLookup { get; }

    /// <summary>Sorted single-word names for surrogates.</summary>
    public string[] FirstNameList { get; }

    public string[] LastNameList { get; }

    public bool IsFirst(ReadOnlySpan<char> word) => FirstLookup.Contains(word);

    public bool IsLast(ReadOnlySpan<char> word) => LastLookup.Contains(word);

    public bool IsName(ReadOnlySpan<char> word) => FirstLookup.Contains(word) || LastLookup.Contains(word);

    public bool IsCommon(ReadOnlySpan<char> word) => CommonLookup.Contains(word);

    private static bool IsPlainName(string name) => name.Length >= 2 && name.All(char.IsLetter) && char.IsUpper(name[0]);

    private static void AddAll(HashSet<string> into, string locale, string key)
    {
        if (!Database.HasKey("name", key, locale, null))
        {
            return;
        }
        if (Database.Get("name", key, locale, null) is not BArray names)
        {
            return;
        }
        var list = new List<string>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            list.Add(names[i].StringValue);
        }
        AddParts(into, list);
    }

    private static void AddParts(HashSet<string> into, List<string>? names)
    {
        if (names is null)
        {
            return;
        }
        foreach (var name in names)
        {
            // Multi-word entries ("Mary Ann", "de la Cruz") are split; only capitalised parts count.
            foreach (var part in name.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.Length >= 2 && char.IsUpper(part[0]))
                {
                    into.Add(part);
                }
            }
        }
    }
}
