package org.fcn4j.io.pickle;

import java.math.BigInteger;

/** Numbers written as text (pickle protocol 0: INT, LONG, FLOAT, PUT, GET), parsed as Python parses them. */
final class TextNumbers {
    /** Python refuses longer decimal integers too (CVE-2020-10735): parsing them takes quadratic time. */
    static final int MAX_DIGITS = 4300;

    private TextNumbers() {}

    /** INT ({@code "01"} and {@code "00"} are protocol 0's booleans) or LONG (with its trailing {@code L}). */
    static Object integer(String text, boolean bools) {
        if (bools && text.equals("01")) {
            return Boolean.TRUE;
        }
        if (bools && text.equals("00")) {
            return Boolean.FALSE;
        }
        String digits = text.endsWith("L") ? text.substring(0, text.length() - 1) : text;
        if (digits.length() > MAX_DIGITS + 1) {
            throw new PickleException("pickle holds an integer of more than " + MAX_DIGITS + " digits");
        }
        try {
            BigInteger v = new BigInteger(digits);
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw new PickleException("malformed number " + Values.brief(text) + " in pickle");
        }
    }

    static double decimal(String text) {
        if (text.length() > MAX_DIGITS) {
            throw new PickleException("pickle holds a float of more than " + MAX_DIGITS + " characters");
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new PickleException("malformed number " + Values.brief(text) + " in pickle");
        }
    }

    /** A memo index of PUT / GET. */
    static long index(String text) {
        Object v = integer(text, false);
        if (!(v instanceof Long)) {
            throw new PickleException("malformed memo index " + Values.brief(text) + " in pickle");
        }
        return (Long) v;
    }
}
