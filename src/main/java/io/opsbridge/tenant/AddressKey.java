package io.opsbridge.tenant;

import java.text.Normalizer;
import java.util.Locale;

/** An address reduced to what identifies it: case, accents, punctuation and spacing dropped. */
public final class AddressKey {

    private AddressKey() {
    }

    public static String of(String address) {
        String plain = Normalizer.normalize(address, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        return plain.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").trim();
    }
}
