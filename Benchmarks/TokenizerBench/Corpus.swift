/// A few kinds of text a tokenizer meets: prose, code, and non-Latin
/// scripts with emoji. The benchmark mixes them into megabytes of input with
/// a fixed seed, so runs are comparable.
enum Corpus {
    static let prose = """
        Bread is one of the oldest prepared foods, and the basic method for making it has changed \
        surprisingly little over thousands of years. At its simplest, a loaf needs only four \
        ingredients: flour, water, salt and yeast. The baker mixes them into a dough, kneads it until \
        the gluten forms a stretchy network, and then leaves it to rise while the yeast ferments the \
        sugars and releases carbon dioxide. Once upon a time, in a small village, a baker woke before \
        dawn every day to light the oven.
        """
    static let code = """
        def fibonacci(n):
            if n < 2:
                return n
            return fibonacci(n - 1) + fibonacci(n - 2)

        for (int i = 0; i < count; ++i) {
            total += values[i] * weights[i];   // accumulate
        }
        let x = try decoder.decode([String: Int].self, from: data)
        """
    static let unicode = """
        naïve café — 東京は日本の首都です。 Привет, мир! 🚀🔥 Ελληνικά κείμενα, عربى نص, \
        한국어 문장, हिन्दी वाक्य. Ünïcödé façade, jalapeño, smörgåsbord, ½ ≤ ∞ ≠ π.
        """
    static let chat = "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n4<end_of_turn>\n"

    /// About `bytes` bytes of paragraphs drawn from the samples above.
    static func mixed(bytes: Int, seed: UInt64 = 0x5EED) -> String {
        let parts = [prose, prose, prose, code, code, unicode, chat]
        var state = seed
        var out = ""
        out.reserveCapacity(bytes + 1024)
        while out.utf8.count < bytes {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out += parts[Int(state >> 33) % parts.count]
            out += (state >> 20) & 1 == 0 ? "\n\n" : " "
        }
        return out
    }
}
