package dev.loyalty.local.bench;

/** The start-up baseline: the same JVM, same flags, running a class that prints and exits. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
