package io.screenmesh.text.rules;

import static io.screenmesh.common.v1.Category.CATEGORY_PROMPT_INJECTION;
import static io.screenmesh.common.v1.Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION;
import static io.screenmesh.common.v1.Severity.SEVERITY_HIGH;

import io.screenmesh.common.v1.Category;
import io.screenmesh.text.screen.Hit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Instruction overrides and system-prompt extraction in Spanish, French, German, Portuguese,
 * Italian, Russian, Chinese, Japanese and Korean: the blunt phrasings, written as patterns per
 * language. Other languages get no rules here: they reach the rest of the pipeline (decoding,
 * unicode checks, the learned detectors where configured) as any text does. Each pattern runs
 * only when one of its literal anchors occurs, with bounded quantifiers, so a scan stays linear.
 * Thread-safe.
 */
final class MultilingualRules {

  private record Phrase(String language, String detector, Category category, String[] anchors, Pattern pattern,
      String message) {}

  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS;
  private static final int MAX_MATCHES = 4;

  private static final List<Phrase> PHRASES = List.of(
      // Spanish
      override("Spanish", anchors("instruc", "indicac", "regla", "directri", "olvida"),
          "\\b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olviden|descarta|descarte|omite|omita|no\\s+sigas"
              + "|no\\s+siga)\\s+(?:todas?\\s+)?(?:las|tus|sus|mis|estas)\\s+(?:\\S+\\s+){0,2}?(?:instrucciones|indicaciones|reglas|órdenes|directrices)\\b"
              + "|\\bolvid[ae]\\s+todo\\s+lo\\s+(?:anterior|que\\s+(?:te|le)\\s+(?:dijeron|han\\s+dicho|dije))"),
      extraction("Spanish", anchors("prompt", "instruc", "mensaje"),
          "\\b(?:muestra|muéstrame|muestrame|revela|revélame|revelame|dime|repite|imprime|escribe)\\s+(?:\\S+\\s+){0,3}?"
              + "(?:prompt|mensaje|instrucciones)\\s+(?:del\\s+sistema|de\\s+sistema|iniciales|originales|ocultas)\\b"),
      // French
      override("French", anchors("instruction", "consigne", "gle", "directive", "oubli"),
          "\\b(?:ignore|ignorez|oublie|oubliez|ne\\s+tiens\\s+pas\\s+compte\\s+des|ne\\s+tenez\\s+pas\\s+compte\\s+des)"
              + "\\s+(?:toutes?\\s+)?(?:les|tes|vos|ces)\\s+(?:\\S+\\s+){0,2}?(?:instructions|consignes|règles|directives)\\b"
              + "|\\boubli(?:e|ez)\\s+tout\\s+ce\\s+(?:qu['’]on\\s+t['’]a|que\\s+l['’]on\\s+vous\\s+a|qui\\s+pr[ée]c[èe]de)"),
      extraction("French", anchors("prompt", "instruction", "consigne", "message", "invite"),
          "\\b(?:montre|montrez|révèle|révélez|revele|affiche|affichez|répète|répétez|repete|donne|donnez|dis|dites)"
              + "(?:-moi)?\\s+(?:\\S+\\s+){0,3}?(?:prompt|message|invite|instructions|consignes)\\s+(?:système|systeme"
              + "|du\\s+système|initiales?|d['’]origine|cachées?|secrètes?)\\b"),
      // German
      override("German", anchors("anweisung", "instruktion", "regeln", "vorgaben", "richtlinien", "vergiss", "vergessen"),
          "\\b(?:ignoriere|ignorier|ignorieren\\s+sie|vergiss|vergessen\\s+sie|missachte|missachten\\s+sie)\\s+"
              + "(?:\\S+\\s+){0,3}?(?:anweisungen|instruktionen|regeln|vorgaben|richtlinien|befehle)\\b"
              + "|\\bvergiss\\s+alles,?\\s+was\\s+(?:dir|man\\s+dir)\\s+(?:\\S+\\s+){0,2}?(?:gesagt|aufgetragen)"),
      extraction("German", anchors("prompt", "anweisung", "systemnachricht"),
          "\\b(?:zeige|zeig|verrate|gib|nenne|wiederhole|drucke|schreibe?)\\s+(?:mir\\s+)?(?:\\S+\\s+){0,3}?"
              + "(?:system-?prompt|systemanweisungen|systemnachricht|ursprünglichen\\s+anweisungen"
              + "|versteckten\\s+anweisungen|geheimen\\s+anweisungen)\\b"),
      // Portuguese
      override("Portuguese", anchors("instru", "regras", "orienta", "diretrizes", "esque"),
          "\\b(?:ignore|ignora|esqueça|esqueca|esquece|desconsidere|desconsidera|não\\s+siga|nao\\s+siga)\\s+"
              + "(?:todas?\\s+)?(?:as|suas|tuas|essas|estas)\\s+(?:\\S+\\s+){0,2}?(?:instruções|instrucoes|regras|orientações|orientacoes|diretrizes)\\b"
              + "|\\besque(?:ç|c)[ae]\\s+tudo\\s+(?:o\\s+)?que\\s+(?:te|lhe)\\s+(?:disseram|foi\\s+dito|falaram)"),
      extraction("Portuguese", anchors("prompt", "instru", "mensagem"),
          "\\b(?:mostre|mostra|revele|revela|diga|diz|repita|imprima|escreva)(?:-me)?\\s+(?:\\S+\\s+){0,3}?"
              + "(?:prompt|mensagem|instruções|instrucoes)\\s+(?:do\\s+sistema|de\\s+sistema|iniciais|originais"
              + "|ocultas|secretas)\\b"),
      // Italian
      override("Italian", anchors("istruzion", "regole", "indicazion", "direttive", "dimentica"),
          "\\b(?:ignora|ignorate|ignori|dimentica|dimenticate|trascura|non\\s+seguire)\\s+(?:tutte\\s+)?(?:le|tue|sue|queste)\\s+(?:\\S+\\s+){0,2}?"
              + "(?:istruzioni|regole|indicazioni|direttive)\\b"
              + "|\\bdimentica\\s+tutto\\s+(?:quello|ciò|cio)\\s+che\\s+ti\\s+(?:è\\s+stato\\s+detto|hanno\\s+detto|ho\\s+detto)"),
      extraction("Italian", anchors("prompt", "istruzion", "messaggio"),
          "\\b(?:mostra(?:mi)?|rivela(?:mi)?|dimmi|ripeti|stampa|scrivi)\\s+(?:\\S+\\s+){0,3}?"
              + "(?:prompt|messaggio|istruzioni)\\s+(?:di\\s+sistema|del\\s+sistema|iniziali|originali|nascoste"
              + "|segrete)\\b"),
      // Russian
      override("Russian", anchors("инструкци", "указани", "правил", "забуд"),
          "(?:игнорируй|игнорируйте|проигнорируй|проигнорируйте|забудь|забудьте|не\\s+обращай\\s+внимания\\s+на"
              + "|не\\s+следуй)\\s+(?:\\S+\\s+){0,3}?(?:инструкци[июйя]\\S*|указани[яйе]\\S*|правил\\S*)"
              + "|забудь(?:те)?\\s+вс[её],?\\s+что\\s+(?:тебе|вам)\\s+(?:\\S+\\s+){0,2}?(?:говорили|сказали|было\\s+сказано)"),
      extraction("Russian", anchors("промпт", "инструкци", "сообщени"),
          "(?:покажи|покажите|выведи|выведите|раскрой|раскройте|повтори|повторите|напиши|скажи|назови)\\s+(?:мне\\s+)?"
              + "(?:\\S+\\s+){0,2}?(?:системн\\S+\\s+(?:промпт|сообщение|инструкции|подсказку)"
              + "|(?:исходные|скрытые|начальные|свои|твои|ваши)\\s+инструкции|свой\\s+промпт|твой\\s+промпт)"),
      // Chinese (simplified and traditional)
      override("Chinese", anchors("忽略", "无视", "無視", "忽视", "忽視", "忘记", "忘記", "忘掉", "不要理会", "不要理會"),
          "(?:忽略|无视|無視|忽视|忽視|忘记|忘記|忘掉|不要理会|不要理會)[^。！？\\n]{0,12}?"
              + "(?:指令|指示|说明|說明|规则|規則|提示|设定|設定|要求)"),
      extraction("Chinese", anchors("系统", "系統", "指令", "指示"),
          "(?:显示|顯示|展示|输出|輸出|告诉我|告訴我|透露|泄露|洩露|重复|重複|打印|给我看|給我看|说出|說出)"
              + "[^。！？\\n]{0,10}?(?:系统提示|系統提示|系统指令|系統指令|初始指令|原始指令|隐藏指令|隱藏指令"
              + "|初始指示|原始指示)"),
      // Japanese
      override("Japanese", anchors("無視", "忘れ"),
          "(?:指示|命令|ルール|指令|設定|プロンプト)[^。！？\\n]{0,10}?(?:無視|忘れ)"),
      extraction("Japanese", anchors("システム", "指示"),
          "(?:システムプロンプト|システムメッセージ|初期指示|最初の指示|元の指示|隠された指示)[^。！？\\n]{0,12}?"
              + "(?:教えて|表示|見せて|出力|繰り返|明かして|書いて|開示)"),
      // Korean
      override("Korean", anchors("무시", "잊어", "잊고"),
          "(?:지시|지침|명령|규칙|지시사항|지시문|프롬프트)[^.!?\\n]{0,10}?(?:무시|잊어|잊고)"),
      extraction("Korean", anchors("시스템", "지시", "프롬프트"),
          "(?:시스템\\s*프롬프트|시스템\\s*메시지|초기\\s*지시|원래\\s*지시|숨겨진\\s*지시)[^.!?\\n]{0,12}?"
              + "(?:보여|알려|출력|공개|말해|반복|써\\s*줘)"));

  private MultilingualRules() {}

  private static String[] anchors(String... a) {
    return a;
  }

  private static Phrase override(String language, String[] anchors, String regex) {
    return new Phrase(language, InjectionRules.OVERRIDE, CATEGORY_PROMPT_INJECTION, anchors,
        Pattern.compile(regex, FLAGS),
        "instruction override (" + language + "): the text tells the model to drop its instructions");
  }

  private static Phrase extraction(String language, String[] anchors, String regex) {
    return new Phrase(language, InjectionRules.EXTRACTION, CATEGORY_SYSTEM_PROMPT_EXTRACTION, anchors,
        Pattern.compile(regex, FLAGS),
        "system-prompt extraction (" + language + "): the text asks the model to reveal its instructions");
  }

  /**
   * Adds the hits of {@code text} to {@code into}.
   *
   * @param lower {@code text} with ASCII letters lower-cased
   */
  static void scan(String text, String lower, List<Hit> into) {
    // Anchors are looked up in a fully lower-cased copy (Cyrillic capitals too); only offsets
    // of the pattern, which runs case-insensitively on the text itself, are reported.
    String folded = isAscii(text) ? lower : text.toLowerCase(Locale.ROOT);
    for (Phrase p : PHRASES) {
      boolean anchored = false;
      for (String a : p.anchors()) {
        if (folded.indexOf(a) >= 0) {
          anchored = true;
          break;
        }
      }
      if (!anchored) {
        continue;
      }
      Matcher m = p.pattern().matcher(text);
      for (int n = 0; n < MAX_MATCHES && m.find(); n++) {
        into.add(new Hit(p.detector(), p.category(), SEVERITY_HIGH, 0.85f, m.start(), m.end(), "",
            Hit.excerptOf(m.group()), p.message()));
      }
    }
  }

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
