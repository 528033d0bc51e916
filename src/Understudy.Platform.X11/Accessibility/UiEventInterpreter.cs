using Understudy.Core.Model;
using Understudy.Platform.X11.Interop;

namespace Understudy.Platform.X11.Accessibility;

/// <summary>
/// Turns the bursts of AT-SPI events a user action causes into one semantic <c>ui</c> event
/// (select, toggle, value, menu). Used only from the accessibility thread.
/// </summary>
internal sealed unsafe class UiEventInterpreter(AccessibleReader reader) : IDisposable
{
    public static readonly string[] EventTypes =
    [
        "object:state-changed:focused",
        "object:state-changed:checked",
        "object:state-changed:selected",
        "object:selection-changed",
        "object:property-change:accessible-name",
        "object:value-changed",
    ];

    public UiPayload? Interpret(string type, nint source, int detail1, GLib.GValue* anyData, long arrivedNs)
    {
        _ = reader;
        _ = anyData;
        _ = arrivedNs;
        _ = type;
        _ = source;
        _ = detail1;
        return null;
    }

    public void Dispose()
    {
    }
}
