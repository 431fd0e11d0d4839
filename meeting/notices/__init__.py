"""会务通知 and 呼叫服务: the clerk's notices to the tablets, the members' service calls."""
