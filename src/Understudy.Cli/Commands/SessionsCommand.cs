using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Understudy.Cli.Infrastructure;
using Understudy.Core.Capture;
using Understudy.Core.Model;
using Understudy.Storage;

namespace Understudy.Cli.Commands;

/// <summary><c>understudy sessions list|show|export|verify|delete</c>: the owner's view of their recordings.</summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var command = new Command("sessions", "List, inspect, export, verify and delete recorded sessions");
        command.Add(List());
        command.Add(Show());
        command.Add(Export());
        command.Add(Verify());
        command.Add(Delete());
        return command;
    }

    private static Command List()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var command = new Command("list", "List sessions, oldest first") { data, json };
        command.SetAction(parse =>
        {
            var sessions = StoreAccess.Open(parse.GetValue(data), create: false).List();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var session in sessions)
                    {
                        WriteSessionInfo(writer, session);
                    }
                    writer.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            if (sessions.Count == 0)
            {
                Console.Out.WriteLine("no sessions");
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("id", "status", "started (UTC)", "duration", "events", "size", "scope");
            foreach (var session in sessions)
            {
                table.AddRow(
                    Markup.Escape(session.Id),
                    Markup.Escape(session.Status.ToWireName()),
                    session.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                    FormatDuration(session),
                    session.EventCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "—",
                    FormatBytes(session.LogBytes),
                    Markup.Escape(session.AllowApps.Count == 0 ? "all apps" : string.Join(", ", session.AllowApps)));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var id = CommonOptions.SessionId();
        var command = new Command("show", "Show one session: status, counts by kind, losses and integrity") { id, data, json };
        command.SetAction(parse =>
        {
            var store = StoreAccess.Open(parse.GetValue(data), create: false);
            var session = Get(store, parse.GetValue(id)!);
            var report = store.Verify(session.Id);
            var (tally, tallyError) = Tally(store, session.Id);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("session");
                    WriteSessionInfo(writer, session);
                    writer.WritePropertyName("verify");
                    WriteVerifyReport(writer, report);
                    WriteTally(writer, tally);
                    writer.WriteEndObject();
                });
                return ExitCodes.Ok;
            }
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string name, string value) => grid.AddRow(Markup.Escape(name), Markup.Escape(value));
            Row("id", session.Id);
            Row("status", session.Status.ToWireName());
            Row("backend", session.Backend ?? "unknown");
            Row("screen", session.Screen is { } screen ? $"{screen.Width}x{screen.Height}" : "unknown");
            Row("started (UTC)", session.CreatedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            Row("ended (UTC)", session.EndedAt?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "—");
            Row("duration", FormatDuration(session));
            Row("end reason", session.EndReason ?? "—");
            Row("scope", session.AllowApps.Count == 0 ? "all apps" : string.Join(", ", session.AllowApps));
            Row("accessibility", session.Capabilities is { } a11y ? (a11y.Accessibility ? "on" : "off") : "unknown");
            Row("frames", DescribeFrames(session.Capabilities));
            Row("events", report.Events.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("input lost (overflow)", (session.DroppedInput ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("log size", FormatBytes(report.Bytes));
            if (tally is not null)
            {
                Row("element / ui / frame events", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{tally.Elements} / {tally.UiActions} / {tally.Frames}"));
                Row("redacted before storing", tally.RedactionsByType.Count == 0
                    ? "nothing"
                    : string.Join(", ", tally.RedactionsByType.Select(pair => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value}"))));
            }
            Row("integrity", report.Damage is { } damage ? $"damaged at byte {damage.Offset}: {damage.Reason}" : "ok");
            Row("frame images", DescribeBlobs(report));
            AnsiConsole.Write(grid);
            if (tally is not null)
            {
                var losses = new Table().Title("losses").AddColumns("reason", "gaps", "duration", "dropped");
                foreach (var (reason, total) in tally.Losses)
                {
                    losses.AddRow(
                        Markup.Escape(reason),
                        total.Gaps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        FormatNanoseconds(total.DurationNs),
                        SessionTally.ReasonsWithDropped.Contains(reason) ? total.Dropped.ToString(System.Globalization.CultureInfo.InvariantCulture) : "—");
                }
                AnsiConsole.Write(losses);
            }
            else
            {
                Console.Out.WriteLine($"losses: unknown ({tallyError})");
            }
            if (session.CountsByKind is { Count: > 0 } counts)
            {
                var table = new Table().AddColumns("kind", "count");
                foreach (var (kind, count) in counts.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    table.AddRow(Markup.Escape(kind), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                AnsiConsole.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export()
    {
        var data = CommonOptions.Data();
        var id = CommonOptions.SessionId();
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "jsonl", HelpName = "jsonl" };
        format.AcceptOnlyFromAmong("jsonl");
        var output = new Option<string?>("--out") { Description = "Write to this file instead of stdout", HelpName = "FILE" };
        var frames = new Option<string?>("--frames")
        {
            Description = "Also write every frame image the session references, decrypted, to DIR/<blob>.<ext> (created 0700, files 0600)",
            HelpName = "DIR",
        };
        var command = new Command("export", "Write a session's decrypted events, one JSON object per line") { id, data, format, output, frames };
        command.SetAction(parse =>
        {
            var store = StoreAccess.Open(parse.GetValue(data), create: false);
            var session = Get(store, parse.GetValue(id)!);
            SessionDamage? damage = null;
            var outPath = parse.GetValue(output);
            var framesDirectory = parse.GetValue(frames);
            FrameExport? frameExport = null;
            if (framesDirectory is not null)
            {
                FrameExport.PrepareDirectory(framesDirectory);
                frameExport = new FrameExport();
            }
            using var stream = outPath is null ? Console.OpenStandardOutput() : OpenOutputFile(outPath);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            long written = 0;
            foreach (var sessionEvent in store.ReadEvents(session.Id, d => damage = d))
            {
                EventJson.Write(sessionEvent, buffer);
                buffer.Write("\n"u8);
                written++;
                frameExport?.Add(sessionEvent);
                if (buffer.WrittenCount > 48 * 1024)
                {
                    stream.Write(buffer.WrittenSpan);
                    buffer.ResetWrittenCount();
                }
            }
            stream.Write(buffer.WrittenSpan);
            stream.Flush();
            if (damage is { } d)
            {
                ErrorReporter.Warn($"session {session.Id} is damaged at byte {d.Offset} of events.log ({d.Reason}); exported the {written} events before it");
            }
            if (frameExport is not null && frameExport.WriteTo(store, session.Id, framesDirectory!).Skipped > 0)
            {
                return ExitCodes.Failure;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Verify()
    {
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var id = CommonOptions.SessionId();
        var command = new Command("verify", "Check a session's integrity: every frame authenticates, sequence numbers are gapless") { id, data, json };
        command.SetAction(parse =>
        {
            var store = StoreAccess.Open(parse.GetValue(data), create: false);
            var session = Get(store, parse.GetValue(id)!);
            var report = store.Verify(session.Id);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer => WriteVerifyReport(writer, report));
            }
            else if (report.Damage is { } damage)
            {
                Console.Out.WriteLine($"{session.Id}: DAMAGED at byte {damage.Offset} (frame {damage.FrameIndex}): {damage.Reason}; the {report.Events} events before it are intact");
            }
            else if (report.MissingBlobs.Count + report.DamagedBlobs.Count > 0)
            {
                Console.Out.WriteLine($"{session.Id}: FRAME IMAGES LOST, {report.MissingBlobs.Count} missing, {report.DamagedBlobs.Count} damaged of {report.BlobsChecked} referenced; the {report.Events} events are intact");
                foreach (var blob in report.MissingBlobs)
                {
                    Console.Out.WriteLine($"  missing {blob}");
                }
                foreach (var blob in report.DamagedBlobs)
                {
                    Console.Out.WriteLine($"  damaged {blob}");
                }
            }
            else
            {
                Console.Out.WriteLine($"{session.Id}: ok, {report.Frames} frames, {report.Events} events, {report.BlobsChecked} frame images, {FormatBytes(report.Bytes)}");
            }
            return report.Ok ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Delete()
    {
        var data = CommonOptions.Data();
        var id = CommonOptions.SessionId();
        var command = new Command("delete", "Delete a session: its key is destroyed first, then its files") { id, data };
        command.SetAction(parse =>
        {
            var store = StoreAccess.Open(parse.GetValue(data), create: false);
            var session = Get(store, parse.GetValue(id)!);
            try
            {
                store.Delete(session.Id);
            }
            catch (StorageException ex)
            {
                throw new CommandFailedException(ex.Message);
            }
            Console.Out.WriteLine($"deleted {session.Id}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static SessionInfo Get(SessionStore store, string id)
    {
        try
        {
            return store.Get(id);
        }
        catch (StorageException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static Stream OpenOutputFile(string path)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                // Decrypted events are the owner's content: readable by the owner only.
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out: cannot write '{path}': {ex.Message}");
        }
    }

    /// <summary>One pass over the events for counts and losses; null with the reason when they cannot be read (e.g. another device's key).</summary>
    private static (SessionTally? Tally, string? Error) Tally(SessionStore store, string id)
    {
        try
        {
            return (SessionTally.From(store.ReadEvents(id)), null);
        }
        catch (StorageException ex)
        {
            return (null, ex.Message);
        }
    }

    private static string DescribeFrames(SessionCapabilities? capabilities) => capabilities switch
    {
        null => "unknown",
        { Frames: false } => "off",
        { } on => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{on.FrameFormat ?? "?"} at scale {on.FrameScale ?? 1.0:0.##} (screen scale factor {on.ScaleFactor:0.##})"),
    };

    private static string DescribeBlobs(VerifyReport report)
    {
        if (!report.Authenticated)
        {
            return "not checked (no key)";
        }
        var problems = report.MissingBlobs.Count + report.DamagedBlobs.Count;
        return problems == 0
            ? $"{report.BlobsChecked} ok"
            : $"{report.BlobsChecked} checked, {report.MissingBlobs.Count} missing, {report.DamagedBlobs.Count} damaged";
    }

    private static string FormatNanoseconds(long nanoseconds) =>
        nanoseconds == 0 ? "0s" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{nanoseconds / 1e9:0.###}s");

    private static void WriteTally(Utf8JsonWriter writer, SessionTally? tally)
    {
        if (tally is null)
        {
            writer.WriteNull("observations");
            writer.WriteNull("losses");
            return;
        }
        writer.WriteStartObject("observations");
        writer.WriteNumber("element", tally.Elements);
        writer.WriteNumber("ui", tally.UiActions);
        writer.WriteNumber("frame", tally.Frames);
        writer.WriteEndObject();
        writer.WriteStartObject("redactions");
        foreach (var (type, count) in tally.RedactionsByType)
        {
            writer.WriteNumber(type, count);
        }
        writer.WriteEndObject();
        writer.WriteStartObject("losses");
        foreach (var (reason, total) in tally.Losses)
        {
            writer.WriteStartObject(reason);
            writer.WriteNumber("gaps", total.Gaps);
            writer.WriteNumber("duration_ns", total.DurationNs);
            writer.WriteNumber("dropped", total.Dropped);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteCapabilities(Utf8JsonWriter writer, SessionCapabilities? capabilities)
    {
        if (capabilities is null)
        {
            writer.WriteNull("capabilities");
            return;
        }
        writer.WriteStartObject("capabilities");
        writer.WriteBoolean("accessibility", capabilities.Accessibility);
        writer.WriteBoolean("frames", capabilities.Frames);
        writer.WriteStringOrNull("frame_format", capabilities.FrameFormat);
        if (capabilities.FrameScale is { } scale)
        {
            writer.WriteNumber("frame_scale", scale);
        }
        else
        {
            writer.WriteNull("frame_scale");
        }
        writer.WriteNumber("scale_factor", capabilities.ScaleFactor);
        writer.WriteEndObject();
    }

    private static void WriteSessionInfo(Utf8JsonWriter writer, SessionInfo session)
    {
        writer.WriteStartObject();
        writer.WriteString("id", session.Id);
        writer.WriteString("status", session.Status.ToWireName());
        writer.WriteString("created_at", session.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteStringOrNull("ended_at", session.EndedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteStringOrNull("backend", session.Backend);
        if (session.Screen is { } screen)
        {
            writer.WriteStartObject("screen");
            writer.WriteNumber("width", screen.Width);
            writer.WriteNumber("height", screen.Height);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("screen");
        }
        WriteCapabilities(writer, session.Capabilities);
        writer.WriteStartArray("allow_apps");
        foreach (var app in session.AllowApps)
        {
            writer.WriteStringValue(app);
        }
        writer.WriteEndArray();
        writer.WriteNumberOrNull("event_count", session.EventCount);
        writer.WriteNumberOrNull("dropped_input", session.DroppedInput);
        if (session.CountsByKind is { } counts)
        {
            writer.WriteStartObject("counts_by_kind");
            foreach (var (kind, count) in counts)
            {
                writer.WriteNumber(kind, count);
            }
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("counts_by_kind");
        }
        writer.WriteStringOrNull("end_reason", session.EndReason);
        writer.WriteNumber("log_bytes", session.LogBytes);
        if (session.Error is { } error)
        {
            writer.WriteString("error", error);
        }
        writer.WriteEndObject();
    }

    private static void WriteVerifyReport(Utf8JsonWriter writer, VerifyReport report)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("ok", report.Ok);
        writer.WriteNumber("frames", report.Frames);
        writer.WriteNumber("events", report.Events);
        writer.WriteNumber("bytes", report.Bytes);
        if (report.Damage is { } damage)
        {
            writer.WriteStartObject("damage");
            writer.WriteNumber("offset", damage.Offset);
            writer.WriteNumber("frame_index", damage.FrameIndex);
            writer.WriteString("reason", damage.Reason);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("damage");
        }
        writer.WriteNumber("blobs_checked", report.BlobsChecked);
        WriteStrings(writer, "missing_blobs", report.MissingBlobs);
        WriteStrings(writer, "damaged_blobs", report.DamagedBlobs);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static string FormatDuration(SessionInfo session)
    {
        if (session.EndedAt is not { } ended)
        {
            return "—";
        }
        var span = ended - session.CreatedAt;
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0.0}s";
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MiB",
    };
}
