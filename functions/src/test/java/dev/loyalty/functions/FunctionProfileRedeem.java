package dev.loyalty.functions;

/** The redeem Lambda (spending routes). */
public final class FunctionProfileRedeem extends FunctionProfile {
    public FunctionProfileRedeem() {
        super("redeem");
    }
}
