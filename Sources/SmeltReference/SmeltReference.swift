/// CPU reference interpreter: runs any verified graph in fp32.
public enum SmeltReference {}
