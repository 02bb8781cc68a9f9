package dev.ferry.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallerTextTest {

    /** RFC 6749 §5.2's error_description characters. */
    private static final String DESCRIPTION_CHARACTERS = "[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*";

    @Test
    void shownQuotesAndEncodesWhatErrorDescriptionsAndLogLinesCannotHold() {
        assertThat(CallerText.shown("kid-1")).isEqualTo("'kid-1'");
        assertThat(CallerText.shown(null)).isEqualTo("(none)");
        assertThat(CallerText.shown("a\r\nb\"c\\d%e'f\u0000é\u2028"))
                .isEqualTo("'a%0D%0Ab%22c%5Cd%25e%27f%00%C3%A9%E2%80%A8'")
                .matches(DESCRIPTION_CHARACTERS);
    }

    @Test
    void shownCutsAt128CharactersWithoutSplittingOne() {
        String emoji = "\uD83D\uDE80";
        String shown = CallerText.shown("x".repeat(127) + emoji + "tail");
        assertThat(shown).isEqualTo("'" + "x".repeat(127) + "%F0%9F%9A%80'...");
        assertThat(CallerText.shown("y".repeat(128))).isEqualTo("'" + "y".repeat(128) + "'");
    }

    @Test
    void describableLeavesSafeTextAsItIsAndEncodesTheRest() {
        String safe = "issuer 'a%0D' is not trusted: see section 3.3";
        assertThat(CallerText.describable(safe)).isSameAs(safe);
        assertThat(CallerText.describable("a \"b\" \\ §"))
                .isEqualTo("a %22b%22 %5C %C2%A7")
                .matches(DESCRIPTION_CHARACTERS);
    }

    @Test
    void loggableKeepsOneLineAndReadableText() {
        assertThat(CallerText.loggable("key é of issuer")).isEqualTo("key é of issuer");
        assertThat(CallerText.loggable("a\nb\rc\u0085d\u2028e\u2029f\u007Fg"))
                .isEqualTo("a%0Ab%0Dc%C2%85d%E2%80%A8e%E2%80%A9f%7Fg");
        // Invisible format characters (a right-to-left override, a zero-width space) could make a line read as another.
        assertThat(CallerText.loggable("moc.live\u202E\u200Bx")).isEqualTo("moc.live%E2%80%AE%E2%80%8Bx");
    }

    @Test
    void controlCharactersAreFound() {
        assertThat(CallerText.hasControlCharacter("a\tb")).isTrue();
        assertThat(CallerText.hasControlCharacter("a\u007Fb")).isTrue();
        assertThat(CallerText.hasControlCharacter("plain é")).isFalse();
    }
}
