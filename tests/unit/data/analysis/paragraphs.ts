// Clear one-language paragraphs (the same text in six languages and scripts) for the language-identification tests.
export const PARAGRAPHS: Record<string, string> = {
  en: 'The quick brown fox jumps over the lazy dog. Please write a short essay describing the causes of the French Revolution and its consequences for Europe.',
  fr: "Le renard brun rapide saute par-dessus le chien paresseux. Veuillez écrire un court essai décrivant les causes de la Révolution française et ses conséquences pour l'Europe.",
  de: 'Der schnelle braune Fuchs springt über den faulen Hund. Bitte schreiben Sie einen kurzen Aufsatz über die Ursachen der Französischen Revolution und ihre Folgen für Europa.',
  zh: '敏捷的棕色狐狸跳过了懒狗。请写一篇短文，描述法国大革命的原因及其对欧洲的影响。',
  ar: 'الثعلب البني السريع يقفز فوق الكلب الكسول. يرجى كتابة مقال قصير يصف أسباب الثورة الفرنسية وعواقبها على أوروبا.',
  ja: '素早い茶色の狐がのろまな犬を飛び越える。フランス革命の原因とヨーロッパへの影響について短いエッセイを書いてください。',
};
