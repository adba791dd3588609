/// Engine: generation loop, sampling and metrics over a backend.
public enum SmeltEngine {}
