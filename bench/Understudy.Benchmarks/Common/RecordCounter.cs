using System.Runtime.InteropServices;
using Understudy.Platform.X11;
using Understudy.Platform.X11.Interop;

namespace Understudy.Benchmarks.Common;

/// <summary>
/// A second, minimal XRecord client that only counts the MotionNotify events the server sends it,
/// as a reference: if it misses events too, they are lost between the X server and Xlib, not in the
/// recorder.
/// </summary>
internal sealed unsafe class RecordCounter : IDisposable
{
    private readonly X11Connection _control;
    private readonly X11Connection _data;
    private readonly nuint _context;
    private readonly Thread _thread;
    private GCHandle _self;
    private long _motions;

    public RecordCounter(bool likeRecorder = false)
    {
        _control = X11Connection.Open(null);
        _data = X11Connection.Open(null);
        var range = XTst.XRecordAllocRange();
        range[XRecordLayout.DeviceEventsFirst] = likeRecorder ? (byte)2 : (byte)6;
        range[XRecordLayout.DeviceEventsLast] = 6;
        if (likeRecorder)
        {
            // The same ranges as XRecordInputSource: keymap-changing requests from every client too.
            range[XRecordLayout.CoreRequestsFirst] = 100;
            range[XRecordLayout.CoreRequestsLast] = 100;
        }
        var clients = XTst.XRecordAllClients;
        _context = XTst.XRecordCreateContext(_control.Handle, 0, &clients, 1, &range, 1);
        Xlib.XFree((nint)range);
        Xlib.XSync(_control.Handle, 0);
        _self = GCHandle.Alloc(this);
        _thread = new Thread(() => XTst.XRecordEnableContext(_data.Handle, _context, &OnIntercept, GCHandle.ToIntPtr(_self)))
        {
            IsBackground = true,
            Name = "bench-refrecord",
        };
        _thread.Start();
        Thread.Sleep(300);
    }

    public long Motions => Interlocked.Read(ref _motions);

    [UnmanagedCallersOnly]
    private static void OnIntercept(nint closure, nint interceptData)
    {
        var self = (RecordCounter)GCHandle.FromIntPtr(closure).Target!;
        var intercept = (byte*)interceptData;
        var data = *(byte**)(intercept + XRecordLayout.Data);
        if (*(int*)(intercept + XRecordLayout.Category) == XTst.XRecordFromServer && data != null && (data[0] & 0x7f) == 6)
        {
            Interlocked.Increment(ref self._motions);
        }
        XTst.XRecordFreeData(interceptData);
    }

    public void Dispose()
    {
        XTst.XRecordDisableContext(_control.Handle, _context);
        Xlib.XFlush(_control.Handle);
        _thread.Join(TimeSpan.FromSeconds(3));
        XTst.XRecordFreeContext(_control.Handle, _context);
        Xlib.XSync(_control.Handle, 0);
        if (!_thread.IsAlive)
        {
            _data.Dispose();
        }
        _control.Dispose();
        _self.Free();
    }
}
