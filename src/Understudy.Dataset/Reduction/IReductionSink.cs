using Understudy.Core.Model;

namespace Understudy.Dataset.Reduction;

/// <summary>Where <see cref="ActionReducer"/> hands on what it made, in session order.</summary>
public interface IReductionSink
{
    void OnAction(AgentAction action);

    void OnDrop(ReductionDrop drop);

    /// <summary>Every event that is not input (focus, gap, marker, element, frame, ui, redaction), after the actions that came before it.</summary>
    void OnEvent(SessionEvent observation);
}
