using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Understudy.Cli.Infrastructure;
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
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("session");
                    WriteSessionInfo(writer, session);
                    writer.WritePropertyName("verify");
                    WriteVerifyReport(writer, report);
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
            Row("events", report.Events.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("input lost (overflow)", (session.DroppedInput ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("log size", FormatBytes(report.Bytes));
            Row("integrity", report.Damage is { } damage ? $"damaged at byte {damage.Offset}: {damage.Reason}" : "ok");
            AnsiConsole.Write(grid);
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
        var command = new Command("export", "Write a session's decrypted events, one JSON object per line") { id, data, format, output };
        command.SetAction(parse =>
        {
            var store = StoreAccess.Open(parse.GetValue(data), create: false);
            var session = Get(store, parse.GetValue(id)!);
            SessionDamage? damage = null;
            var outPath = parse.GetValue(output);
            using var stream = outPath is null ? Console.OpenStandardOutput() : OpenOutputFile(outPath);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            long written = 0;
            foreach (var sessionEvent in store.ReadEvents(session.Id, d => damage = d))
            {
                EventJson.Write(sessionEvent, buffer);
                buffer.Write("\n"u8);
                written++;
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
            else
            {
                Console.Out.WriteLine($"{session.Id}: ok, {report.Frames} frames, {report.Events} events, {FormatBytes(report.Bytes)}");
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
        writer.WriteEndObject();
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
